// Serves HTTP API requests: the stage (a named stage is the first path segment; otherwise `$default`), the route
// (route-match.ts), the route's AWS_PROXY Lambda integration, the event in the integration's payload format, the
// invocation through InvokeService, and the result mapped back. Failures answer as API Gateway does:
// `{"message":"Not Found"}` 404 without a route, `{"message":"Service Unavailable"}` 503 past the integration's
// timeoutInMillis (the invocation runs on), `{"message":"Internal Server Error"}` 500 otherwise.
import type { ServerResponse } from 'node:http';
import { type HttpApiRecord, type HttpApiStage, lambdaTargetOf } from '../model/index.js';
import type { Logger } from '../observe/index.js';
import type { HttpApiService, InvokeService } from '../services/index.js';
import { newRequestId } from '../shared/ids.js';
import { isPreflight, preflightHeaders, withCors } from './cors.js';
import { buildEventV1 } from './event-v1.js';
import { buildEventV2, decodedPath } from './event-v2.js';
import type { TriggerRequest } from './http-request.js';
import { mapResultV1, mapResultV2 } from './http-response.js';
import { type FailureReplies, invokeForHttp, jsonReply, sendReply } from './invoke-for-http.js';
import { matchRoute } from './route-match.js';

export interface HttpApiDeps {
  readonly httpApis: HttpApiService;
  readonly invoker: InvokeService;
  readonly logger: Logger;
}

const internalError = jsonReply(500, { message: 'Internal Server Error' });
const apiFailures: FailureReplies = {
  invalid: internalError, forbidden: internalError, throttled: jsonReply(429, { message: 'Too Many Requests' }),
  tooLarge: jsonReply(413, { message: 'Request Entity Too Large' }),
  timedOut: jsonReply(503, { message: 'Service Unavailable' }),
};
const notFound = jsonReply(404, { message: 'Not Found' });

/** The stage a path addresses and the path within it. */
function stageOf(api: HttpApiRecord, rawPath: string): { stage: HttpApiStage; path: string } | undefined {
  const first = rawPath.split('/')[1] ?? '';
  const named = api.stages.find((s) => s.stageName !== '$default' && s.stageName === first);
  if (named !== undefined) return { stage: named, path: rawPath.slice(first.length + 1) || '/' };
  const fallback = api.stages.find((s) => s.stageName === '$default');
  return fallback === undefined ? undefined : { stage: fallback, path: rawPath };
}

export async function serveHttpApi(deps: HttpApiDeps, apiId: string, req: TriggerRequest, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const api = deps.httpApis.lookup(apiId);
  const origin = req.headers.get('origin')?.[0];
  // With a CORS configuration API Gateway answers preflights itself, whatever the routes.
  if (api?.cors !== undefined && isPreflight(req.method, req.headers)) {
    return sendReply(res, requestId, { status: 204, headers: preflightHeaders(api.cors, origin), body: Buffer.alloc(0) });
  }
  const staged = api === undefined ? undefined : stageOf(api, req.rawPath);
  const match = staged === undefined || api === undefined ? undefined : matchRoute(api.routes, req.method, staged.path);
  const integrationId = match?.route.target?.replace(/^integrations\//, '');
  const integration = api?.integrations.find((i) => i.integrationId === integrationId);
  const target = integration === undefined ? undefined : lambdaTargetOf(integration.integrationUri);
  if (api === undefined || staged === undefined || match === undefined || integration === undefined || target === undefined) {
    return sendReply(res, requestId, notFound);
  }
  const domainName = `${api.apiId}.execute-api.localhost`;
  const stageVariables = staged.stage.stageVariables !== undefined && Object.keys(staged.stage.stageVariables).length > 0 ? staged.stage.stageVariables : undefined;
  const common = { accountId: api.accountId, apiId: api.apiId, domainName, requestId, nowMs: Date.now(), stage: staged.stage.stageName, path: decodedPath(req.rawPath) };
  const event = integration.payloadFormatVersion === '1.0'
    ? buildEventV1(req, { ...common, routeKey: match.route.routeKey, resourcePath: match.resourcePath, pathParameters: match.pathParameters, stageVariables })
    : buildEventV2(req, {
      ...common, routeKey: match.route.routeKey,
      ...(match.pathParameters === undefined ? {} : { pathParameters: match.pathParameters }), ...(stageVariables === undefined ? {} : { stageVariables }),
    });
  const reply = await invokeForHttp(deps.invoker, deps.logger, {
    accountId: target.accountId, region: target.region, requestId, functionName: target.functionName, qualifier: target.qualifier, event,
    timeoutMs: integration.timeoutInMillis,
  }, integration.payloadFormatVersion === '1.0' ? mapResultV1 : mapResultV2, apiFailures);
  sendReply(res, requestId, withCors(reply, api.cors, origin));
}
