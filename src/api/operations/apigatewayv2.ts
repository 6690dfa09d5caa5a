// The API Gateway v2 subset of HTTP APIs (rest-json, `/v2/...`, camelCase members): CreateApi, GetApi(s),
// DeleteApi, Create/Get(s)/DeleteRoute, Create/Get(s)/DeleteIntegration, Create/Get(s)/DeleteStage. What is left
// out is listed in docs/architecture.md.
import type { HttpApiIntegration, HttpApiRecord, HttpApiRoute, HttpApiStage } from '../../model/index.js';
import type { HttpApiService } from '../../services/index.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { num, obj, parseJsonBody, serializationError, str } from '../wire-input.js';
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

/** `http://<api-id>.execute-api.localhost:<port>`: a name under .localhost reaches loopback. */
export function apiEndpoint(apiId: string, port: string): string {
  return `http://${apiId}.execute-api.localhost${port === '' ? '' : `:${port}`}`;
}

function apiShape(api: HttpApiRecord, port: string): Json {
  return defined({
    apiEndpoint: apiEndpoint(api.apiId, port), apiId: api.apiId, apiKeySelectionExpression: '$request.header.x-api-key', createdDate: api.createdDate,
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

export function registerApiGatewayV2Operations(router: Router, apis: HttpApiService): void {
  router.add('POST', '/v2/apis', async (call) => {
    const o = await body(call, 'CreateApi');
    const api = apis.createApi(call.ctx, {
      ...defined({ name: str(o, 'name'), protocolType: str(o, 'protocolType'), description: str(o, 'description'), version: str(o, 'version'),
        target: str(o, 'target'), routeKey: str(o, 'routeKey'), tags: stringMap(o, 'tags') }),
    });
    sendJson(call.res, 201, apiShape(api, portOf(call)));
  });
  router.add('GET', '/v2/apis', (call) => sendJson(call.res, 200, { items: apis.listApis(call.ctx).map((a) => apiShape(a, portOf(call))) }));
  router.add('GET', '/v2/apis/{apiId}', (call) => sendJson(call.res, 200, apiShape(apis.getApi(call.ctx, p(call, 'apiId')), portOf(call))));
  router.add('DELETE', '/v2/apis/{apiId}', (call) => {
    apis.deleteApi(call.ctx, p(call, 'apiId'));
    sendEmpty(call.res, 204);
  });

  router.add('POST', '/v2/apis/{apiId}/routes', async (call) => {
    const o = await body(call, 'CreateRoute');
    sendJson(call.res, 201, routeShape(apis.createRoute(call.ctx, p(call, 'apiId'), str(o, 'routeKey'), str(o, 'target'))));
  });
  router.add('GET', '/v2/apis/{apiId}/routes', (call) => sendJson(call.res, 200, { items: apis.getApi(call.ctx, p(call, 'apiId')).routes.map(routeShape) }));
  router.add('GET', '/v2/apis/{apiId}/routes/{routeId}', (call) => sendJson(call.res, 200, routeShape(apis.getRoute(call.ctx, p(call, 'apiId'), p(call, 'routeId')))));
  router.add('DELETE', '/v2/apis/{apiId}/routes/{routeId}', (call) => {
    apis.deleteRoute(call.ctx, p(call, 'apiId'), p(call, 'routeId'));
    sendEmpty(call.res, 204);
  });

  router.add('POST', '/v2/apis/{apiId}/integrations', async (call) => {
    const o = await body(call, 'CreateIntegration');
    const integration = apis.createIntegration(call.ctx, p(call, 'apiId'), defined({
      integrationType: str(o, 'integrationType'), integrationUri: str(o, 'integrationUri'), payloadFormatVersion: str(o, 'payloadFormatVersion'),
      timeoutInMillis: num(o, 'timeoutInMillis'), description: str(o, 'description'),
    }));
    sendJson(call.res, 201, integrationShape(integration));
  });
  router.add('GET', '/v2/apis/{apiId}/integrations', (call) => sendJson(call.res, 200, { items: apis.getApi(call.ctx, p(call, 'apiId')).integrations.map(integrationShape) }));
  router.add('GET', '/v2/apis/{apiId}/integrations/{integrationId}', (call) =>
    sendJson(call.res, 200, integrationShape(apis.getIntegration(call.ctx, p(call, 'apiId'), p(call, 'integrationId')))));
  router.add('DELETE', '/v2/apis/{apiId}/integrations/{integrationId}', (call) => {
    apis.deleteIntegration(call.ctx, p(call, 'apiId'), p(call, 'integrationId'));
    sendEmpty(call.res, 204);
  });

  router.add('POST', '/v2/apis/{apiId}/stages', async (call) => {
    const o = await body(call, 'CreateStage');
    const stage = apis.createStage(call.ctx, p(call, 'apiId'), defined({
      stageName: str(o, 'stageName'), autoDeploy: bool(o, 'autoDeploy'), stageVariables: stringMap(o, 'stageVariables'), description: str(o, 'description'),
    }));
    sendJson(call.res, 201, stageShape(stage));
  });
  router.add('GET', '/v2/apis/{apiId}/stages', (call) => sendJson(call.res, 200, { items: apis.getApi(call.ctx, p(call, 'apiId')).stages.map(stageShape) }));
  router.add('GET', '/v2/apis/{apiId}/stages/{stageName}', (call) => sendJson(call.res, 200, stageShape(apis.getStage(call.ctx, p(call, 'apiId'), p(call, 'stageName')))));
  router.add('DELETE', '/v2/apis/{apiId}/stages/{stageName}', (call) => {
    apis.deleteStage(call.ctx, p(call, 'apiId'), p(call, 'stageName'));
    sendEmpty(call.res, 204);
  });
}
