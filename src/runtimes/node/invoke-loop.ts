/**
 * The invocation loop: GET `/next`, run the handler, POST its result or error, repeat. Handler styles
 * and reply timing follow aws-lambda-ric 3.x `src/Runtime.js`:
 * 1. The handler is always called as `(event, context, callback)`.
 * 2. A returned promise (thenable) is the answer as soon as it settles.
 * 3. Otherwise the answer is `callback`/`context.done|succeed|fail`. With callbackWaitsForEmptyEventLoop
 *    (default true) a callback result is posted only once the event loop is empty ('beforeExit').
 * 4. A non-async handler that never calls back answers `null` once the event loop is empty; an
 *    `async function` whose promise never settles fails with Runtime.NodeJsExit.
 * A return value that is not a promise is ignored, as on AWS.
 * 5. A streaming handler (`awslambda.streamifyResponse`, RIC `handleOnceStreaming`) is called as
 *    `(event, responseStream, context)`; it must return a promise; the invocation is over when the stream has
 *    ended and the platform has answered; a rejection ends the stream with the error trailers.
 */
import { logError, setCurrentRequestId, stdioFlushed } from './console-patch.js';
import { attachInvokeData, beforeExit, buildCallbackContext, type LambdaContext, type Outcome } from './context.js';
import { NodeJsExit, toRapidResponse } from './errors.js';
import { isAsyncFunction, type Handler } from './handler-loader.js';
import { asResponseStream, failStream, isStreamingHandler, streamingHeaders } from './response-stream.js';
import type { NextInvocation, RuntimeApiClient } from './runtime-api-client.js';

/** Called when the Runtime API is gone; the process has to exit. */
export type OnApiFailure = (error: unknown) => void;

function serialise(result: unknown): string {
  try {
    return JSON.stringify(result === undefined ? null : result) ?? 'null';
  } catch {
    throw new Error('Unable to stringify response body');
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return Boolean(value) && typeof (value as { then?: unknown }).then === 'function';
}

export class InvokeLoop {
  readonly #client: RuntimeApiClient;
  readonly #handler: Handler;
  readonly #isAsync: boolean;
  readonly #streaming: boolean;
  readonly #onApiFailure: OnApiFailure;
  #current: { requestId: string; markCompleted: () => void } | undefined;

  constructor(client: RuntimeApiClient, handler: Handler, onApiFailure: OnApiFailure) {
    this.#client = client;
    this.#handler = handler;
    this.#isAsync = isAsyncFunction(handler);
    this.#streaming = isStreamingHandler(handler);
    this.#onApiFailure = onApiFailure;
  }

  /** Request id of the invocation in progress (or the last one), for crash reports. */
  get currentRequestId(): string | undefined {
    return this.#current?.requestId;
  }

  /** Stops the current invocation from posting anything more; the crash path has taken over. */
  abandonCurrent(): void {
    this.#current?.markCompleted();
  }

  /** Starts the next iteration on a fresh turn of the event loop. */
  schedule(): void {
    setImmediate(() => {
      this.#handleOnce().catch(this.#onApiFailure);
    });
  }

  async #handleOnce(): Promise<void> {
    const { body, headers } = await this.#client.next();
    const requestId = headers['lambda-runtime-aws-request-id'];
    if (typeof requestId !== 'string' || requestId === '') throw new Error('invocation id is missing or invalid');
    setCurrentRequestId(requestId);
    if (this.#streaming) return this.#handleStreaming(requestId, body, headers);

    const { callback, context, succeed, fail, markCompleted } = buildCallbackContext(this.#outcome(requestId));
    this.#current = { requestId, markCompleted };
    beforeExit.set(() => this.#onEmptyEventLoop(requestId, markCompleted));
    try {
      const result = this.#handler(JSON.parse(body), attachInvokeData(context, headers), callback);
      if (isPromiseLike(result)) {
        void Promise.resolve(result).then(succeed, fail).catch(fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  async #handleStreaming(requestId: string, body: string, headers: NextInvocation['headers']): Promise<void> {
    const { request, done } = this.#client.openResponseStream(requestId, streamingHeaders());
    const stream = asResponseStream(request);
    let completed = false;
    this.#current = { requestId, markCompleted: () => (completed = true) };
    let waitForEmptyEventLoop = true;
    const context = {
      get callbackWaitsForEmptyEventLoop() {
        return waitForEmptyEventLoop;
      },
      set callbackWaitsForEmptyEventLoop(value: boolean) {
        waitForEmptyEventLoop = value;
      },
    };
    const fail = (error: unknown) => {
      logError('Invoke Error', error);
      failStream(stream, error);
    };
    // As in the RIC, an event loop that runs dry while the handler still holds the stream moves on.
    beforeExit.set(() => this.schedule());
    try {
      const streamingHandler = this.#handler as unknown as (event: unknown, stream: unknown, context: unknown) => unknown;
      const result = streamingHandler(JSON.parse(body), stream, attachInvokeData(context as LambdaContext, headers));
      if (!isPromiseLike(result)) fail('Streaming does not support non-async handlers.');
      else {
        if ((await result) !== undefined) console.warn('Streaming handlers ignore return values.');
        if (!stream.writableEnded) fail('Response stream is not finished.');
      }
    } catch (err) {
      if (!completed) fail(err);
    }
    await done.catch(this.#onApiFailure);
    beforeExit.reset();
    if (!waitForEmptyEventLoop) this.schedule();
    else beforeExit.set(() => setImmediate(() => this.schedule()));
  }

  #onEmptyEventLoop(requestId: string, markCompleted: () => void): void {
    markCompleted();
    if (this.#isAsync) {
      const error = new NodeJsExit();
      logError('Invoke Error', error);
      this.#post(() => this.#client.postError(requestId, toRapidResponse(error)));
    } else {
      this.#post(() => this.#client.postResponse(requestId, 'null'));
    }
  }

  #outcome(requestId: string): Outcome {
    return {
      succeed: (result) => {
        const body = serialise(result);
        this.#post(() => this.#client.postResponse(requestId, body));
      },
      fail: (error) => {
        logError('Invoke Error', error);
        this.#post(() => this.#client.postError(requestId, toRapidResponse(error)));
      },
    };
  }

  /** Posts once the invocation's log output has reached the platform's pipe (see stdioFlushed). */
  #post(send: () => Promise<number>): void {
    stdioFlushed().then(send).then(() => this.schedule(), this.#onApiFailure);
  }
}
