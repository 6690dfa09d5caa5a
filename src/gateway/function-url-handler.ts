// Serves function URL requests: finds the configuration by url-id, answers CORS preflights, authorises (AuthType
// NONE needs a resource policy allowing lambda:InvokeFunctionUrl; AWS_IAM a valid SigV4 signature by a configured
// key), builds the payload 2.0 event, invokes through InvokeService (the one front door) and maps the result.
import type { ServerResponse } from 'node:http';
import { type FunctionUrlRecord, LATEST, urlMessages } from '../model/index.js';
import type { Logger } from '../observe/index.js';
import type { FunctionUrlService, InvokeService, PolicyService } from '../services/index.js';
import { newRequestId } from '../shared/ids.js';
import { verifySigV4 } from '../shared/sigv4-verifier.js';
import { isPreflight, preflightHeaders, withCors } from './cors.js';
import { buildEventV2, decodedPath } from './event-v2.js';
import type { TriggerRequest } from './http-request.js';
import { type HttpReply, mapResultV2 } from './http-response.js';
import { type FailureReplies, invokeForHttp, invokeStreamedForHttp, jsonReply, sendReply } from './invoke-for-http.js';

export interface FunctionUrlDeps {
  readonly urls: FunctionUrlService;
  readonly policies: PolicyService;
  readonly invoker: InvokeService;
  /** Access key → secret: the callers AWS_IAM URLs accept. */
  readonly credentials: ReadonlyMap<string, string>;
  readonly accountId: string;
  readonly logger: Logger;
}

export async function serveFunctionUrl(deps: FunctionUrlDeps, urlId: string, req: TriggerRequest, signedTarget: string, host: string, res: ServerResponse): Promise<void> {
  const requestId = newRequestId();
  const url = deps.urls.lookup(urlId);
  if (url === undefined) return sendReply(res, requestId, urlFailures.forbidden);
  const origin = req.headers.get('origin')?.[0];
  // 1. CORS preflight: answered by the URL itself, before authorisation (browsers cannot sign it).
  if (url.cors !== undefined && isPreflight(req.method, req.headers)) {
    return sendReply(res, requestId, { status: 200, headers: preflightHeaders(url.cors, origin), body: Buffer.alloc(0) });
  }
  // 2. Authorisation.
  const iam = authorise(deps, url, req, signedTarget);
  if (iam === 'denied') return sendReply(res, requestId, urlFailures.forbidden);
  // 3. Event, invocation, mapping. RESPONSE_STREAM URLs stream the function's response to the client as it comes.
  const domainName = `${url.urlId}.lambda-url.${url.region}.localhost`;
  const event = buildEventV2(req, {
    accountId: iam === 'anonymous' ? 'anonymous' : deps.accountId, apiId: url.urlId, domainName: host === '' ? domainName : host.replace(/:\d+$/, ''),
    requestId, nowMs: Date.now(), routeKey: '$default', stage: '$default', path: decodedPath(req.rawPath),
    ...(iam === 'anonymous' ? {} : { iam }),
  });
  const target = {
    accountId: url.accountId, region: url.region, requestId, functionName: url.functionName,
    qualifier: url.qualifier === LATEST ? undefined : url.qualifier, event,
  };
  const decorate = (reply: HttpReply): HttpReply => withCors(reply, url.cors, origin);
  if (url.invokeMode === 'RESPONSE_STREAM') return invokeStreamedForHttp(deps.invoker, deps.logger, target, mapResultV2, urlFailures, res, decorate);
  sendReply(res, requestId, decorate(await invokeForHttp(deps.invoker, deps.logger, target, mapResultV2, urlFailures)));
}

type IamIdentity = { accessKey: string; accountId: string; callerId: string; userArn: string; userId: string };

function authorise(deps: FunctionUrlDeps, url: FunctionUrlRecord, req: TriggerRequest, signedTarget: string): IamIdentity | 'anonymous' | 'denied' {
  if (url.authType === 'NONE') {
    return deps.policies.allowsPublicUrl({ accountId: url.accountId, region: url.region, name: url.functionName }, url.qualifier) ? 'anonymous' : 'denied';
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of req.received) headers[name] = values.length === 1 ? (values[0] ?? '') : [...values];
  const result = verifySigV4({ method: req.method, target: signedTarget, headers, body: req.body }, deps.credentials, { region: url.region, service: 'lambda' });
  if (!result.ok) return 'denied';
  return {
    accessKey: result.accessKeyId, accountId: deps.accountId, callerId: deps.accountId,
    userArn: `arn:aws:iam::${deps.accountId}:root`, userId: deps.accountId,
  };
}

/** How a function URL answers what is not the function's own reply. */
const urlFailures: FailureReplies = {
  invalid: { status: 502, headers: [['content-type', 'text/plain']], body: Buffer.from('Internal Server Error') },
  forbidden: jsonReply(403, { Message: urlMessages.forbidden }, 'AccessDeniedException'),
  throttled: jsonReply(429, { Message: 'Rate Exceeded.' }, 'TooManyRequestsException'),
  tooLarge: jsonReply(413, { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }, 'RequestEntityTooLargeException'),
};
