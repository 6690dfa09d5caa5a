// Where a streamed response goes while the function is still running (InvokeWithResponseStream, and function
// URLs in RESPONSE_STREAM mode). The engine writes the runtime's chunks into it as they arrive; the invocation's
// outcome still comes back as a value once the stream has ended. A caller that passes no sink gets the streamed
// response buffered into the outcome's payload, as Lambda does for a plain Invoke of a streaming function.

/** What the caller learns when the runtime begins to stream (before the first chunk). */
export interface ResponseStreamStart {
  /** The Content-Type the runtime declared on its streamed /response (default application/octet-stream). */
  readonly contentType: string;
  readonly executedVersion: string;
}

export interface ResponseStreamSink {
  /** Called once, when the runtime opens its streamed response. */
  start(info: ResponseStreamStart): void;
  /**
   * One chunk as the runtime sent it. A promise means "the caller is not ready for more": the engine stops
   * reading from the runtime until it settles (backpressure reaches the function's socket).
   */
  write(chunk: Buffer): Promise<void> | undefined;
}

/**
 * AWS's limit for a streamed response is 200 MiB ("Response streaming": 200 MB, raised from 20 MB in 2025); past
 * it the stream is cut and the invocation fails with Function.ResponseSizeTooLarge. Lambda also throttles a
 * stream to 2 MiB/s after its first 6 MiB; Nimbus does not throttle.
 */
export const MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024;
