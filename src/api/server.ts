// The Lambda REST API server: request context (request id, region from SigV4, account), routing, and the
// single error mapper. Operations live in api/operations/*.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import type { AccountService, AliasService, ConcurrencyService, EventInvokeConfigService, FunctionService, FunctionUrlService, HttpApiService, InvokeService, LayerService, LogService, PolicyService, ProvisionedConcurrencyService, RequestContext } from '../services/index.js';
import { AwsError } from '../shared/errors.js';
import { newRequestId } from '../shared/ids.js';
import { sendError } from './http.js';
import { registerAccountOperations } from './operations/account.js';
import { registerAliasOperations } from './operations/aliases.js';
import { registerApiGatewayV2Operations } from './operations/apigatewayv2.js';
import { registerConcurrencyOperations } from './operations/concurrency.js';
import { registerFunctionOperations } from './operations/functions.js';
import { registerEventInvokeConfigOperations } from './operations/event-invoke-config.js';
import { registerFunctionUrlOperations } from './operations/function-urls.js';
import { registerInvokeOperations } from './operations/invoke.js';
import { registerInvokeStreamOperation } from './operations/invoke-stream.js';
import { registerLayerOperations } from './operations/layers.js';
import { handleLogsRequest, isLogsRequest } from './operations/logs.js';
import { type HealthSource, registerNimbusOperations } from './operations/nimbus.js';
import { registerPermissionOperations } from './operations/permissions.js';
import { registerTagOperations } from './operations/tags.js';
import { type ApiCall, Router } from './router.js';
import { regionOf } from './sigv4.js';

export interface ApiDeps {
  readonly functions: FunctionService;
  readonly aliases: AliasService;
  readonly concurrency: ConcurrencyService;
  readonly provisioned: ProvisionedConcurrencyService;
  readonly layers: LayerService;
  readonly invoker: InvokeService;
  readonly eventInvokeConfigs: EventInvokeConfigService;
  readonly account: AccountService;
  readonly logs: LogService;
  readonly urls: FunctionUrlService;
  readonly policies: PolicyService;
  readonly httpApis: HttpApiService;
  /** HTTP triggers (function URLs, HTTP APIs) share the listener: requests they claim by Host or path go to them. */
  readonly triggers?: TriggerDispatcher;
  readonly health: HealthSource;
  readonly logger: Logger;
  readonly accountId: string;
  readonly defaultRegion: string;
}

export interface TriggerDispatcher {
  /** Handles the request and returns true when it is addressed to a trigger; false leaves it to the API. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean;
}

export interface ApiServer {
  readonly server: Server;
  /** Resolves when no request is being handled (shutdown waits for it before closing connections). */
  whenIdle(): Promise<void>;
}

export function createApiServer(deps: ApiDeps): ApiServer {
  const router = new Router();
  registerFunctionOperations(router, deps.functions);
  registerAliasOperations(router, deps.aliases);
  registerConcurrencyOperations(router, deps.concurrency, deps.provisioned);
  registerLayerOperations(router, deps.layers);
  registerInvokeOperations(router, deps.invoker);
  registerEventInvokeConfigOperations(router, deps.eventInvokeConfigs);
  registerInvokeStreamOperation(router, deps.invoker);
  registerTagOperations(router, deps.functions);
  registerAccountOperations(router, deps.account);
  registerNimbusOperations(router, deps.functions, deps.health);
  registerFunctionUrlOperations(router, deps.urls);
  registerPermissionOperations(router, deps.policies);
  registerApiGatewayV2Operations(router, deps.httpApis);

  let active = 0;
  const idleWaiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    active += 1;
    res.once('close', () => {
      active -= 1;
      if (active === 0) for (const wake of idleWaiters.splice(0)) wake();
    });
    if (deps.triggers?.dispatch(req, res) === true) return;
    handle(router, deps, req, res).catch((err: unknown) => deps.logger.error({ err }, 'request handler failed'));
  });
  // Invocations can legitimately run for 15 minutes.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 65_000;
  return {
    server,
    whenIdle: () => (active === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve))),
  };
}

async function handle(router: Router, deps: ApiDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  res.setHeader('x-amzn-RequestId', requestId);
  try {
    // Concatenated, not resolved against a base: a target such as `//x` must stay a path. Inside the try, so
    // anything unparsable still becomes an error reply.
    const url = new URL(`http://nimbus${req.url ?? '/'}`);
    const ctx: RequestContext = { accountId: deps.accountId, region: regionOf(req, deps.defaultRegion), requestId };
    const base = { req, res, query: url.searchParams, ctx };
    if (isLogsRequest({ ...base, params: {} })) return await handleLogsRequest({ ...base, params: {} }, deps.logs);
    // Match on the raw (still percent-encoded) path so encoded ':' and '/' inside ARNs stay in one segment.
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const match = router.match(req.method ?? 'GET', rawPath);
    if (match === undefined || match === 'method-not-allowed') {
      throw new AwsError('UnknownOperationException', `Nimbus does not implement ${req.method ?? ''} ${url.pathname}`, { status: match === undefined ? 404 : 405, faultType: null });
    }
    const call: ApiCall = { ...base, params: match.params };
    await match.handler(call);
  } catch (err) {
    sendError(res, err, requestId, deps.logger);
  }
}
