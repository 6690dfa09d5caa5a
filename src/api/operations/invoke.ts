// Invoke (POST /2015-03-31/functions/{F}/invocations) and the deprecated InvokeAsync: request headers in,
// the outcome out as AWS writes it (status, X-Amz-Function-Error, X-Amz-Executed-Version, X-Amz-Log-Result).
import { type InvocationOutcome, invalidParameter, invalidRequestContent, messages, serviceException, tooManyRequests } from '../../model/index.js';
import type { InvocationType, InvokeRequest, InvokeService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';

export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;
/** docs API_Invoke: 1 MB for InvocationType Event (256 KB before 2025); API_InvokeAsync: 256 KB. */
export const ASYNC_PAYLOAD_LIMIT = 1024 * 1024;
export const INVOKE_ASYNC_PAYLOAD_LIMIT = 256 * 1024;
const CLIENT_CONTEXT_LIMIT = 3583;
const TAIL_BYTES = 4096;

export function header(call: ApiCall, name: string): string | undefined {
  const v = call.req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** X-Amz-Invocation-Type against the operation's enum (AWS quotes the enum in its order in the message). */
export function invocationType<T extends InvocationType>(call: ApiCall, allowed: readonly T[]): T {
  const t = header(call, 'x-amz-invocation-type') ?? 'RequestResponse';
  if ((allowed as readonly string[]).includes(t)) return t as T;
  throw new AwsError('ValidationException',
    `1 validation error detected: Value '${t}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    { status: 400, faultType: null });
}

/** The invocation an Invoke-style request asks for: name, Qualifier, type, payload (empty → `{}`), client context. */
export function invokeRequest(call: ApiCall, invocationType: InvocationType, payload: Buffer): InvokeRequest {
  const context = clientContext(call);
  return {
    functionName: call.params['name'] ?? '',
    qualifier: call.query.get('Qualifier') ?? undefined,
    invocationType,
    // An empty body reaches the function as `{}`, as with AWS's SDKs and CLI.
    payload: payload.length === 0 ? Buffer.from('{}') : payload,
    ...(context === undefined ? {} : { clientContext: context }),
  };
}

/** A platform failure as the AWS error the caller gets; no room on the host is a throttle, like the account limit. */
export function platformError(outcome: Extract<InvocationOutcome, { kind: 'platform-error' }>): AwsError {
  if (outcome.status === 429) return tooManyRequests('ConcurrentInvocationLimitExceeded');
  return outcome.status >= 500 ? serviceException(outcome.message) : new AwsError(outcome.errorType, outcome.message, { status: outcome.status });
}

/** The payload must be JSON; AWS reports the parser's complaint after a fixed prefix. */
export function checkJson(payload: Buffer): void {
  if (payload.length === 0) return;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (err) {
    throw invalidRequestContent(messages.invalidJsonPayload(err instanceof Error ? err.message : String(err)));
  }
}

export function clientContext(call: ApiCall): string | undefined {
  const raw = header(call, 'x-amz-client-context');
  if (raw === undefined || raw === '') return undefined;
  if (raw.length > CLIENT_CONTEXT_LIMIT) throw invalidParameter(`Client context must be ${CLIENT_CONTEXT_LIMIT} bytes or less (base64).`);
  const decoded = Buffer.from(raw, 'base64').toString('utf8');
  try {
    JSON.parse(decoded);
  } catch {
    throw invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
  }
  return decoded;
}

/** Base64 of the last 4 KB of the invocation's log, START to REPORT inclusive. */
export function logTail(lines: readonly string[]): string {
  const all = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return all.subarray(Math.max(0, all.length - TAIL_BYTES)).toString('base64');
}

export function registerInvokeOperations(router: Router, invoker: InvokeService): void {
  router.add('POST', '/2015-03-31/functions/{name}/invocations', async (call) => {
    const type = invocationType(call, ['Event', 'RequestResponse', 'DryRun']);
    const payload = await readBody(call.req, type === 'Event' ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT, 'InvokeFunction');
    checkJson(payload);
    const result = await invoker.invoke(call.ctx, invokeRequest(call, type, payload));
    if (result.kind === 'dry-run') return sendEmpty(call.res, 204);
    if (result.kind === 'queued') return sendEmpty(call.res, 202);
    const outcome = result.outcome;
    if (outcome.kind === 'platform-error') throw platformError(outcome);
    const headers: Record<string, string | number> = {
      'Content-Type': outcome.kind === 'ok' ? outcome.contentType : 'application/json',
      'Content-Length': outcome.payload.length,
      'X-Amz-Executed-Version': outcome.executedVersion,
    };
    if (outcome.kind === 'function-error') headers['X-Amz-Function-Error'] = 'Unhandled';
    if (header(call, 'x-amz-log-type') === 'Tail') headers['X-Amz-Log-Result'] = logTail(outcome.logLines);
    call.res.writeHead(200, headers);
    call.res.end(outcome.payload);
  });

  // Deprecated InvokeAsync: the body is the event; the answer is 202 with `{"Status":202}` (docs API_InvokeAsync).
  router.add('POST', '/2014-11-13/functions/{name}/invoke-async/?', async (call) => {
    const payload = await readBody(call.req, INVOKE_ASYNC_PAYLOAD_LIMIT, 'InvokeAsync');
    checkJson(payload);
    await invoker.invoke(call.ctx, {
      functionName: call.params['name'] ?? '',
      qualifier: undefined,
      invocationType: 'Event',
      payload: payload.length === 0 ? Buffer.from('{}') : payload,
    });
    sendJson(call.res, 202, { Status: 202 });
  });
}
