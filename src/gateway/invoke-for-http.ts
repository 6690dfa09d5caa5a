// The invocation step shared by function URLs and HTTP API routes: the event goes through InvokeService (the one
// front door: limits, throttling, logs as for any invocation) and the outcome becomes an HTTP reply, or the trigger's
// failure reply (invalid result or function error, throttled, target gone, request too large).
import type { ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import type { InvokeService } from '../services/index.js';
import { AwsError } from '../shared/errors.js';
import type { HttpReply } from './http-response.js';

export const SYNC_PAYLOAD_LIMIT = 6 * 1024 * 1024;

export interface FailureReplies {
  /** Function error, invalid result, platform failure. */
  readonly invalid: HttpReply;
  /** The target function or alias no longer exists. */
  readonly forbidden: HttpReply;
  readonly throttled: HttpReply;
  readonly tooLarge: HttpReply;
  /** The integration's timeout passed first (HTTP APIs; the invocation itself runs on to its own end). */
  readonly timedOut?: HttpReply;
}

export interface HttpInvokeTarget {
  readonly accountId: string;
  readonly region: string;
  readonly requestId: string;
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly event: unknown;
  /** HTTP API integrations answer `failures.timedOut` once this passes. */
  readonly timeoutMs?: number;
}

export function jsonReply(status: number, body: Record<string, unknown>, errorType?: string): HttpReply {
  return {
    status, body: Buffer.from(JSON.stringify(body)),
    headers: [['content-type', 'application/json'], ...(errorType === undefined ? [] : [['x-amzn-ErrorType', errorType] as [string, string]])],
  };
}

export async function invokeForHttp(
  invoker: InvokeService, logger: Logger, target: HttpInvokeTarget, map: (payload: Buffer) => HttpReply | 'invalid', failures: FailureReplies,
): Promise<HttpReply> {
  const payload = Buffer.from(JSON.stringify(target.event));
  if (payload.length > SYNC_PAYLOAD_LIMIT) return failures.tooLarge;
  const reply = invokeAndMap(invoker, logger, target, payload, map, failures);
  if (target.timeoutMs === undefined || failures.timedOut === undefined) return reply;
  const timedOut = failures.timedOut;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HttpReply>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), target.timeoutMs);
  });
  try {
    return await Promise.race([reply, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function invokeAndMap(
  invoker: InvokeService, logger: Logger, target: HttpInvokeTarget, payload: Buffer, map: (payload: Buffer) => HttpReply | 'invalid', failures: FailureReplies,
): Promise<HttpReply> {
  try {
    const result = await invoker.invoke({ accountId: target.accountId, region: target.region, requestId: target.requestId }, {
      functionName: target.functionName, qualifier: target.qualifier, invocationType: 'RequestResponse', payload,
    });
    if (result.kind !== 'outcome' || result.outcome.kind !== 'ok') return failures.invalid;
    const reply = map(result.outcome.payload);
    return reply === 'invalid' ? failures.invalid : reply;
  } catch (err) {
    if (err instanceof AwsError && err.status === 429) return failures.throttled;
    if (err instanceof AwsError && err.status === 404) return failures.forbidden;
    logger.error({ err, requestId: target.requestId }, 'HTTP trigger invocation failed');
    return failures.invalid;
  }
}

/** Headers the connection owns (Nimbus frames the body itself), and names or values HTTP cannot carry. */
const FRAMING = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'trailer']);
const TOKEN_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE_RE = /[^\t\x20-\x7e\x80-\xff]/;

export function sendReply(res: ServerResponse, requestId: string, reply: HttpReply): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    if (FRAMING.has(name.toLowerCase()) || !TOKEN_RE.test(name) || BAD_VALUE_RE.test(value)) continue;
    const key = name.toLowerCase() === 'set-cookie' ? 'Set-Cookie' : name;
    const existing = headers[key];
    headers[key] = existing === undefined ? value : key === 'Set-Cookie' ? [...[existing].flat(), value] : `${[existing].flat().join(',')},${value}`;
  }
  headers['x-amzn-RequestId'] = requestId;
  // 204 and 304 have no body (RFC 9110 §6.4.1); whatever the function returned with them is dropped.
  const noBody = reply.status === 204 || reply.status === 304;
  if (!noBody) headers['Content-Length'] = String(reply.body.length);
  res.writeHead(reply.status, headers);
  res.end(noBody ? undefined : reply.body);
}

/**
 * THE SEAM for `InvokeMode: RESPONSE_STREAM` function URLs. The response-streaming work (InvokeWithResponseStream and
 * the HttpResponseStream prelude parser) plugs in here: it should write the prelude's status and headers, then the
 * function's chunks as they come, to `res`. Until it lands, streamed URLs are invoked and answered buffered (the
 * same result, delivered at once; AWS would send the first bytes earlier).
 */
export async function invokeStreamedForHttp(
  invoker: InvokeService, logger: Logger, target: HttpInvokeTarget, map: (payload: Buffer) => HttpReply | 'invalid', failures: FailureReplies,
): Promise<HttpReply> {
  return invokeForHttp(invoker, logger, target, map, failures);
}
