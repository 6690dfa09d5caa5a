// One streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`) on its way from the runtime to the
// caller: chunks go to the invocation's ResponseStreamSink as they arrive, or are buffered when the caller asked
// for a buffered answer (a plain Invoke of a streaming function), under that mode's limit. How the stream ended
// (cleanly, with the runtime's error trailers, over the limit, broken off) settles the invocation once.
import { MAX_STREAMED_RESPONSE_BYTES, type ResponseStreamSink } from '../model/response-stream.js';
import { MAX_RESPONSE_BYTES, type RuntimeError } from './runtime-errors.js';

/** The invocation's end as the environment records it. */
export type StreamEnd =
  | { kind: 'ok'; payload: Buffer; contentType: string }
  | { kind: 'function-error'; payload: Buffer; errorType: string; status?: string };

export type WriteResult = 'ok' | 'too-large' | Promise<void>;

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

/** The caller's error when a streamed response passes its limit (AWS's wording for the buffered cap, with this limit). */
export function streamTooLarge(limit: number): RuntimeError {
  const errorMessage = `Response payload size exceeded maximum allowed payload size (${limit} bytes).`;
  return { errorType: 'Function.ResponseSizeTooLarge', payload: json({ errorMessage, errorType: 'Function.ResponseSizeTooLarge' }) };
}

/** A stream the runtime stopped sending before its final chunk (it died or dropped the connection). */
export const TRUNCATED_RESPONSE: RuntimeError = {
  errorType: 'Runtime.TruncatedResponse',
  payload: json({ errorMessage: 'The runtime closed the streamed response before it was complete.', errorType: 'Runtime.TruncatedResponse' }),
};

export class StreamedReply {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  readonly limit: number;

  /**
   * @param sink the caller's, or undefined to buffer
   * @param live false once the invocation is settled otherwise (timeout, stop): later chunks are dropped
   * @param settle records the end; its answer is the Runtime API's
   */
  constructor(
    private readonly sink: ResponseStreamSink | undefined,
    private readonly contentType: string,
    private readonly live: () => boolean,
    private readonly settle: (end: StreamEnd) => 'accepted' | 'refused',
  ) {
    this.limit = sink === undefined ? MAX_RESPONSE_BYTES : MAX_STREAMED_RESPONSE_BYTES;
  }

  write(chunk: Buffer): WriteResult {
    this.size += chunk.length;
    if (this.size > this.limit) return 'too-large';
    if (!this.live()) return 'ok';
    if (this.sink === undefined) {
      this.chunks.push(chunk);
      return 'ok';
    }
    return this.sink.write(chunk) ?? 'ok';
  }

  /** The stream ended; `failure` says how it failed, if it did. */
  end(failure: RuntimeError | undefined): 'accepted' | 'refused' {
    if (failure !== undefined) return this.settle({ kind: 'function-error', ...failure });
    const payload = this.sink === undefined ? Buffer.concat(this.chunks, this.size) : Buffer.alloc(0);
    return this.settle({ kind: 'ok', payload, contentType: this.contentType });
  }
}
