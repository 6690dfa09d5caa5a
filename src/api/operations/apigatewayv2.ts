// The API Gateway v2 subset of HTTP APIs (rest-json, `/v2/...`, camelCase members): Create/Get(s)/Update/DeleteApi,
// and Create/Get(s)/Update/Delete of routes, integrations and stages. What is left
// out is listed in docs/architecture.md.
import type { HttpApiIntegration, HttpApiRecord, HttpApiRoute, HttpApiStage, UrlCors } from '../../model/index.js';
import type { HttpApiService, IntegrationInput, StageInput } from '../../services/index.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { num, obj, parseJsonBody, serializationError, str, stringList } from '../wire-input.js';
import { portOf } from './function-urls.js';

const LIMIT = 1024 * 1024;
type Json = Record<string, unknown>;

function defined(o: Json): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function stringMap(o: Json, key: string): Record<string, string> | undefined {
  const m = obj(o, key);
  if (m !== undefined && Object.values(m).some((v) => typeof v !== 'string')) throw serializationError();
  return m as Record<string, string> | undefined;
}

function bool(o: Json, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw serializationError();
  return v;
}

function corsInput(o: Json): UrlCors | undefined {
  const c = obj(o, 'corsConfiguration');
  if (c === undefined) return undefined;
  return defined({
    allowCredentials: bool(c, 'allowCredentials'), allowHeaders: stringList(c, 'allowHeaders'), allowMethods: stringList(c, 'allowMethods'),
    allowOrigins: stringList(c, 'allowOrigins'), exposeHeaders: stringList(c, 'exposeHeaders'), maxAge: num(c, 'maxAge'),
  }) as UrlCors;
}

const integrationInput = (o: Json): IntegrationInput => defined({
  integrationType: str(o, 'integrationType'), integrationUri: str(o, 'integrationUri'), payloadFormatVersion: str(o, 'payloadFormatVersion'),
  timeoutInMillis: num(o, 'timeoutInMillis'), description: str(o, 'description'),
}) as IntegrationInput;

const stageInput = (o: Json): StageInput =>
  defined({ autoDeploy: bool(o, 'autoDeploy'), stageVariables: stringMap(o, 'stageVariables'), description: str(o, 'description') }) as StageInput;

const corsShape = (c: UrlCors): Json => defined({
  allowCredentials: c.allowCredentials, allowHeaders: c.allowHeaders, allowMethods: c.allowMethods, allowOrigins: c.allowOrigins,
  exposeHeaders: c.exposeHeaders, maxAge: c.maxAge,
});

/** `http://<api-id>.execute-api.localhost:<port>`: a name under .localhost reaches loopback. */
export function apiEndpoint(apiId: string, port: string): string {
  return `http://${apiId}.execute-api.localhost${port === '' ? '' : `:${port}`}`;
}

function apiShape(api: HttpApiRecord, port: string): Json {
  return defined({
    apiEndpoint: apiEndpoint(api.apiId, port), apiId: api.apiId, apiKeySelectionExpression: '$request.header.x-api-key',
    corsConfiguration: api.cors === undefined ? undefined : corsShape(api.cors), createdDate: api.createdDate,
    description: api.description, disableExecuteApiEndpoint: false, name: api.name, protocolType: 'HTTP',
    routeSelectionExpression: '$request.method $request.path', tags: api.tags ?? {}, version: api.version,
  });
}

const routeShape = (r: HttpApiRoute): Json => defined({
  apiGatewayManaged: r.apiGatewayManaged, apiKeyRequired: false, authorizationType: 'NONE', routeId: r.routeId, routeKey: r.routeKey, target: r.target,
});

const integrationShape = (i: HttpApiIntegration): Json => defined({
  apiGatewayManaged: i.apiGatewayManaged, connectionType: 'INTERNET', description: i.description, integrationId: i.integrationId, integrationMethod: 'POST',
  integrationType: i.integrationType, integrationUri: i.integrationUri, payloadFormatVersion: i.payloadFormatVersion, timeoutInMillis: i.timeoutInMillis,
});

const stageShape = (s: HttpApiStage): Json => defined({
  apiGatewayManaged: s.apiGatewayManaged, autoDeploy: s.autoDeploy, createdDate: s.createdDate, defaultRouteSettings: { detailedMetricsEnabled: false },
  description: s.description, lastUpdatedDate: s.lastUpdatedDate, routeSettings: {}, stageName: s.stageName, stageVariables: s.stageVariables ?? {}, tags: {},
});

async function body(call: ApiCall, operation: string): Promise<Json> {
  return parseJsonBody(await readBody(call.req, LIMIT, operation));
}

const p = (call: ApiCall, key: string): string => call.params[key] ?? '';

/**
 * POST `<base>` (201), GET `<base>` (`{items}`), GET, PATCH (200) and DELETE (204) `<base>/{id}` of one kind of an
 * API's parts. `operation` names the Create operation; the Update one is named after it.
 */
function registerPart<T>(router: Router, base: string, idParam: string, ops: {
  operation: string; create: (call: ApiCall, body: Json) => T; update: (call: ApiCall, id: string, body: Json) => T; list: (call: ApiCall) => readonly T[];
  get: (call: ApiCall, id: string) => T; remove: (call: ApiCall, id: string) => void; shape: (part: T) => Json;
}): void {
  router.add('POST', base, async (call) => sendJson(call.res, 201, ops.shape(ops.create(call, await body(call, ops.operation)))));
  router.add('PATCH', `${base}/{${idParam}}`, async (call) =>
    sendJson(call.res, 200, ops.shape(ops.update(call, p(call, idParam), await body(call, ops.operation.replace(/^Create/, 'Update'))))));
  router.add('GET', base, (call) => sendJson(call.res, 200, { items: ops.list(call).map(ops.shape) }));
  router.add('GET', `${base}/{${idParam}}`, (call) => sendJson(call.res, 200, ops.shape(ops.get(call, p(call, idParam)))));
  router.add('DELETE', `${base}/{${idParam}}`, (call) => {
    ops.remove(call, p(call, idParam));
    sendEmpty(call.res, 204);
  });
}

export function registerApiGatewayV2Operations(router: Router, apis: HttpApiService): void {
  router.add('POST', '/v2/apis', async (call) => {
    const o = await body(call, 'CreateApi');
    const api = apis.createApi(call.ctx, {
      ...defined({ name: str(o, 'name'), protocolType: str(o, 'protocolType'), description: str(o, 'description'), version: str(o, 'version'),
        target: str(o, 'target'), routeKey: str(o, 'routeKey'), tags: stringMap(o, 'tags'), cors: corsInput(o) }),
    });
    sendJson(call.res, 201, apiShape(api, portOf(call)));
  });
  router.add('PATCH', '/v2/apis/{apiId}', async (call) => {
    const o = await body(call, 'UpdateApi');
    const api = apis.updateApi(call.ctx, p(call, 'apiId'), defined({ name: str(o, 'name'), description: str(o, 'description'), version: str(o, 'version'), cors: corsInput(o) }));
    sendJson(call.res, 200, apiShape(api, portOf(call)));
  });
  router.add('GET', '/v2/apis', (call) => sendJson(call.res, 200, { items: apis.listApis(call.ctx).map((a) => apiShape(a, portOf(call))) }));
  router.add('GET', '/v2/apis/{apiId}', (call) => sendJson(call.res, 200, apiShape(apis.getApi(call.ctx, p(call, 'apiId')), portOf(call))));
  router.add('DELETE', '/v2/apis/{apiId}', (call) => {
    apis.deleteApi(call.ctx, p(call, 'apiId'));
    sendEmpty(call.res, 204);
  });

  registerPart(router, '/v2/apis/{apiId}/routes', 'routeId', {
    operation: 'CreateRoute', create: (call, o) => apis.createRoute(call.ctx, p(call, 'apiId'), str(o, 'routeKey'), str(o, 'target')),
    update: (call, id, o) => apis.updateRoute(call.ctx, p(call, 'apiId'), id, str(o, 'routeKey'), str(o, 'target')),
    list: (call) => apis.getApi(call.ctx, p(call, 'apiId')).routes, shape: routeShape,
    get: (call, id) => apis.getRoute(call.ctx, p(call, 'apiId'), id), remove: (call, id) => apis.deleteRoute(call.ctx, p(call, 'apiId'), id),
  });

  registerPart(router, '/v2/apis/{apiId}/integrations', 'integrationId', {
    operation: 'CreateIntegration',
    create: (call, o) => apis.createIntegration(call.ctx, p(call, 'apiId'), integrationInput(o)),
    update: (call, id, o) => apis.updateIntegration(call.ctx, p(call, 'apiId'), id, integrationInput(o)),
    list: (call) => apis.getApi(call.ctx, p(call, 'apiId')).integrations, shape: integrationShape,
    get: (call, id) => apis.getIntegration(call.ctx, p(call, 'apiId'), id), remove: (call, id) => apis.deleteIntegration(call.ctx, p(call, 'apiId'), id),
  });

  registerPart(router, '/v2/apis/{apiId}/stages', 'stageName', {
    operation: 'CreateStage',
    create: (call, o) => apis.createStage(call.ctx, p(call, 'apiId'), { ...stageInput(o), ...defined({ stageName: str(o, 'stageName') }) }),
    update: (call, id, o) => apis.updateStage(call.ctx, p(call, 'apiId'), id, stageInput(o)),
    list: (call) => apis.getApi(call.ctx, p(call, 'apiId')).stages, shape: stageShape,
    get: (call, id) => apis.getStage(call.ctx, p(call, 'apiId'), id), remove: (call, id) => apis.deleteStage(call.ctx, p(call, 'apiId'), id),
  });
}
