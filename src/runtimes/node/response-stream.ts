/**
 * Response streaming in the Nimbus Node client, as Lambda's Node runtime offers it (aws-lambda-ric 3.x
 * `ResponseStream.js`, `HttpResponseStream.js`, `UserFunction.js`; spec lambda-wire.md b.1 "Streaming response"):
 * - the global `awslambda.streamifyResponse(handler)` marks a handler as streaming; it is then called as
 *   `handler(event, responseStream, context)` and must return a promise;
 * - `responseStream` is the chunked POST `/response` itself (`Lambda-Runtime-Function-Response-Mode: streaming`),
 *   with `setContentType()` before the first write; a failure ends it with the error trailers
 *   `Lambda-Runtime-Function-Error-Type` and `-Body` (base64 of the error JSON);
 * - `awslambda.HttpResponseStream.from(stream, prelude)` switches to
 *   `application/vnd.awslambda.http-integration-response`: the prelude as JSON, 8 NUL bytes, then the body.
 * Owns the stream object only; the invoke loop decides when an invocation is over.
 */
import type { ClientRequest } from 'node:http';
import { toRapidResponse } from './errors.js';

const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.highWaterMark');
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER_BYTES = 8;
export const ERROR_TYPE_TRAILER = 'Lambda-Runtime-Function-Error-Type';
export const ERROR_BODY_TRAILER = 'Lambda-Runtime-Function-Error-Body';

/** Raised for misuse of a response stream (the RIC's name). */
export class InvalidStreamingOperation extends Error {}
Object.defineProperty(InvalidStreamingOperation.prototype, 'name', { value: 'Runtime.InvalidStreamingOperation', writable: true, configurable: true });

type AnyFunction = (...args: never[]) => unknown;

/** What a handler receives: the request it writes to, plus Lambda's additions. */
export type ResponseStream = ClientRequest & {
  setContentType(contentType: string): void;
  /** Set by HttpResponseStream.from: writes the prelude ahead of the first chunk. */
  _onBeforeFirstWrite?: ((write: (chunk: string | Uint8Array) => void) => void) | undefined;
};

export function streamifyResponse<H extends AnyFunction>(handler: H, options?: { highWaterMark?: number }): H {
  const marked = handler as H & { [STREAMING]?: string; [HIGH_WATER_MARK]?: number };
  marked[STREAMING] = 'response';
  if (options?.highWaterMark !== undefined) marked[HIGH_WATER_MARK] = options.highWaterMark;
  return handler;
}

export function isStreamingHandler(handler: unknown): boolean {
  return typeof handler === 'function' && (handler as { [STREAMING]?: unknown })[STREAMING] === 'response';
}

export const HttpResponseStream = {
  from(stream: ResponseStream, prelude: unknown): ResponseStream {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    // JSON text cannot contain a NUL byte, so the delimiter is unambiguous.
    const text = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(text);
      write(new Uint8Array(PRELUDE_DELIMITER_BYTES));
    };
    return stream;
  },
};

/** Installs the `awslambda` global that Lambda's Node runtime provides to handlers. */
export function installAwsLambdaGlobal(): void {
  (globalThis as { awslambda?: unknown }).awslambda = { streamifyResponse, HttpResponseStream };
}

/** Headers of a streamed /response; chunked is explicit so that trailers work even when nothing was written. */
export function streamingHeaders(): Record<string, string> {
  return {
    'Lambda-Runtime-Function-Response-Mode': 'streaming',
    'Transfer-Encoding': 'chunked',
    Trailer: `${ERROR_TYPE_TRAILER}, ${ERROR_BODY_TRAILER}`,
    'Content-Type': 'application/octet-stream',
  };
}

/**
 * Turns the open POST into the handler's response stream: content type settable until the first write, objects
 * written as JSON, the prelude hook before the first chunk (also when the stream is ended without a write).
 */
export function asResponseStream(req: ClientRequest): ResponseStream {
  const stream = req as ResponseStream;
  let written = false;
  const rawWrite = req.write.bind(req) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
  const rawEnd = req.end.bind(req) as (...args: unknown[]) => ClientRequest;
  const beforeFirst = () => {
    if (written) return;
    written = true;
    stream._onBeforeFirstWrite?.((chunk) => rawWrite(chunk));
  };
  stream.setContentType = (contentType: string) => {
    if (written) throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    req.setHeader('Content-Type', contentType);
  };
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const bytes = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    beforeFirst();
    return rawWrite(bytes, ...rest);
  }) as ClientRequest['write'];
  stream.end = ((...args: unknown[]) => {
    const [first] = args;
    if (first !== undefined && first !== null && typeof first !== 'function') {
      stream.write(first as string);
      args.shift();
      if (typeof args[0] === 'string') args.shift(); // encoding
    }
    beforeFirst();
    return rawEnd(...args);
  }) as ResponseStream['end'];
  return stream;
}

/** Ends the stream with the error trailers, as Lambda's runtime reports a failure part-way. */
export function failStream(stream: ResponseStream, error: unknown): void {
  const body = toRapidResponse(error);
  if (stream.writableEnded) return;
  stream.addTrailers({ [ERROR_TYPE_TRAILER]: body.errorType, [ERROR_BODY_TRAILER]: Buffer.from(JSON.stringify(body)).toString('base64') });
  stream._onBeforeFirstWrite = undefined; // a failed HTTP response gets no prelude
  stream.end();
}
