// The invocation step shared by function URLs and HTTP API routes: the event goes through InvokeService (the one
// front door: limits, throttling, logs as for any invocation) and the outcome becomes an HTTP reply, or the trigger's
// failure reply (invalid result or function error, throttled, target gone, request too large).
import type { ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import type { InvokeService } from '../services/index.js';
import { AwsError } from '../shared/errors.js';
import { HTTP_INTEGRATION_CONTENT_TYPE, PreludeReader, type ResponseStreamSink, type ResponseStreamStart } from '../model/index.js';
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

/** The reply's headers as node:http takes them: framing headers dropped, repeats joined (Set-Cookie kept apart). */
function responseHeaders(reply: Pick<HttpReply, 'headers'>, requestId: string): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of reply.headers) {
    if (FRAMING.has(name.toLowerCase()) || !TOKEN_RE.test(name) || BAD_VALUE_RE.test(value)) continue;
    const key = name.toLowerCase() === 'set-cookie' ? 'Set-Cookie' : name;
    const existing = headers[key];
    headers[key] = existing === undefined ? value : key === 'Set-Cookie' ? [...[existing].flat(), value] : `${[existing].flat().join(',')},${value}`;
  }
  headers['x-amzn-RequestId'] = requestId;
  return headers;
}

export function sendReply(res: ServerResponse, requestId: string, reply: HttpReply): void {
  const headers = responseHeaders(reply, requestId);
  // 204 and 304 have no body (RFC 9110 §6.4.1); whatever the function returned with them is dropped.
  const noBody = reply.status === 204 || reply.status === 304;
  if (!noBody) headers['Content-Length'] = String(reply.body.length);
  res.writeHead(reply.status, headers);
  res.end(noBody ? undefined : reply.body);
}

/**
 * `InvokeMode: RESPONSE_STREAM` function URLs: the function's streamed response goes to the HTTP client as it comes
 * (chunked). With the http-integration content type (`awslambda.HttpResponseStream.from`), the prelude's
 * statusCode, headers and cookies become the response's; else it is a 200 of the type the runtime declared. A
 * function that does not stream is answered as in BUFFERED mode. A failure before the first byte gets the
 * URL's failure replies; after it the connection is cut, as AWS does (the status line has gone already).
 * `decorate` adds headers of the URL's own (CORS) to the streamed response.
 */
export async function invokeStreamedForHttp(
  invoker: InvokeService, logger: Logger, target: HttpInvokeTarget, map: (payload: Buffer) => HttpReply | 'invalid', failures: FailureReplies,
  res: ServerResponse, decorate: (reply: HttpReply) => HttpReply,
): Promise<void> {
  const payload = Buffer.from(JSON.stringify(target.event));
  if (payload.length > SYNC_PAYLOAD_LIMIT) return sendReply(res, target.requestId, decorate(failures.tooLarge));
  const sink = new HttpStreamSink(res, target.requestId, decorate);
  let reply: HttpReply;
  try {
    const result = await invoker.invoke({ accountId: target.accountId, region: target.region, requestId: target.requestId }, {
      functionName: target.functionName, qualifier: target.qualifier, invocationType: 'RequestResponse', payload, responseStream: sink,
    });
    const outcome = result.kind === 'outcome' ? result.outcome : undefined;
    if (sink.started) return sink.finish(outcome?.kind === 'ok' && !sink.broken);
    const mapped = outcome?.kind === 'ok' ? map(outcome.payload) : 'invalid';
    reply = mapped === 'invalid' ? failures.invalid : mapped;
  } catch (err) {
    if (sink.started) return sink.finish(false);
    if (err instanceof AwsError && err.status === 429) reply = failures.throttled;
    else if (err instanceof AwsError && err.status === 404) reply = failures.forbidden;
    else {
      logger.error({ err, requestId: target.requestId }, 'HTTP trigger invocation failed');
      reply = failures.invalid;
    }
  }
  sendReply(res, target.requestId, decorate(reply));
}

/** Writes a runtime's streamed response to an HTTP client: the prelude (if any) becomes the status line and headers. */
class HttpStreamSink implements ResponseStreamSink {
  started = false;
  /** The prelude was not valid JSON: the response was cut. */
  broken = false;
  private prelude: PreludeReader | undefined;

  constructor(private readonly res: ServerResponse, private readonly requestId: string, private readonly decorate: (reply: HttpReply) => HttpReply) {}

  start(info: ResponseStreamStart): void {
    this.started = true;
    if (info.contentType === HTTP_INTEGRATION_CONTENT_TYPE) this.prelude = new PreludeReader();
    else this.head(200, [['content-type', info.contentType]]);
  }

  write(chunk: Buffer): Promise<void> | undefined {
    if (this.broken || this.res.destroyed) return undefined;
    let body = chunk;
    if (this.prelude !== undefined) {
      const parsed = this.prelude.push(chunk);
      if (parsed.kind === 'incomplete') return undefined;
      this.prelude = undefined;
      if (parsed.kind === 'invalid') {
        this.broken = true;
        this.res.destroy();
        return undefined;
      }
      const p = parsed.prelude;
      const headers: Array<[string, string]> = Object.entries(p.headers ?? {}).map(([k, v]) => [k, String(v)]);
      for (const cookie of p.cookies ?? []) headers.push(['set-cookie', cookie]);
      if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['content-type', 'application/octet-stream']);
      this.head(typeof p.statusCode === 'number' ? p.statusCode : 200, headers);
      body = parsed.body;
      if (body.length === 0) return undefined;
    }
    if (this.res.write(body)) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Ends the response: cleanly, or (a failure mid-stream) by cutting the connection. */
  finish(ok: boolean): void {
    if (this.res.destroyed) return;
    // A prelude that never completed: nothing was sent, so an honest failure status is still possible.
    if (this.prelude !== undefined && !this.res.headersSent) {
      this.prelude = undefined;
      return sendReply(this.res, this.requestId, this.decorate({ status: 502, headers: [['content-type', 'text/plain']], body: Buffer.from('Internal Server Error') }));
    }
    if (ok) this.res.end();
    else this.res.destroy();
  }

  private head(status: number, headers: ReadonlyArray<readonly [string, string]>): void {
    const reply = this.decorate({ status, headers, body: Buffer.alloc(0) });
    this.res.writeHead(reply.status, responseHeaders(reply, this.requestId));
  }
}
