/**
 * The `context` object and node-style `callback` handed to a handler for one invocation, built from the
 * `/next` headers and the Lambda environment variables. Mirrors aws-lambda-ric 3.x `CallbackContext.js`
 * and `InvokeContext.js`: same keys in the same order (so `JSON.stringify(context)` matches AWS), legacy
 * `done`/`succeed`/`fail`, and only the first of callback/done/succeed/fail counts.
 * Posting the outcome is delegated to an `Outcome` supplied by the invoke loop. Also owns the process's
 * single 'beforeExit' action (`beforeExit`), which callbacks and the invoke loop share.
 */
import type { IncomingHttpHeaders } from 'node:http';

const noop = (): void => {};
let exitAction: () => void = noop;

/**
 * Node emits 'beforeExit' once the event loop has nothing left to run; while a handler runs the runtime
 * keeps no HTTP request open (the keep-alive socket is unref'd when idle), so this event is how "the event
 * loop is empty" is detected for `callbackWaitsForEmptyEventLoop` and for non-async handlers that never
 * call back. Same design as aws-lambda-ric 3.x `src/BeforeExitListener.js`.
 */
export const beforeExit = {
  set(fn: () => void): void {
    exitAction = fn;
  },
  reset(): void {
    exitAction = noop;
  },
  install(): void {
    process.on('beforeExit', () => {
      const run = exitAction;
      exitAction = noop;
      run();
    });
  },
};

export type Callback = (error?: unknown, result?: unknown) => void;

export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  succeed(result?: unknown): void;
  fail(error?: unknown): void;
  done(error?: unknown, result?: unknown): void;
  [key: string]: unknown;
}

/** How an invocation's result leaves the process; both post and then start the next iteration. */
export interface Outcome {
  /** Throws synchronously when the result cannot be serialised. */
  succeed(result: unknown): void;
  fail(error: unknown): void;
}

export interface CallbackContext {
  readonly callback: Callback;
  readonly context: LambdaContext;
  /** The same functions as `context.succeed`/`context.fail`, immune to the handler reassigning them. */
  readonly succeed: (result?: unknown) => void;
  readonly fail: (error?: unknown) => void;
  /** Stops later callback calls from posting (used when the runtime answered on the handler's behalf). */
  readonly markCompleted: () => void;
}

export function buildCallbackContext(outcome: Outcome): CallbackContext {
  let completed = false;
  let waitForEmptyEventLoop = true;

  const complete = (result: unknown): void => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    outcome.succeed(result);
  };

  // With the flag on, the reply waits for 'beforeExit' (event loop empty) and then one more turn, as the RIC does.
  const callback: Callback = (error, result) => {
    beforeExit.reset();
    if (error !== undefined && error !== null) outcome.fail(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExit.set(() => setImmediate(() => complete(result)));
  };

  const done = (error?: unknown, result?: unknown): void => {
    beforeExit.reset();
    if (error !== undefined && error !== null) outcome.fail(error);
    else complete(result);
  };

  // A call that throws (e.g. unserialisable result) does not count, so a following fail() can still report it.
  let finished = false;
  const firstOnly =
    <A extends unknown[]>(fn: (...args: A) => void) =>
    (...args: A): void => {
      if (finished) return;
      fn(...args);
      finished = true;
    };

  const succeed = firstOnly((result?: unknown) => done(null, result));
  const fail = firstOnly((error?: unknown) => (error === undefined || error === null ? done('handled') : done(error, null)));
  const context: LambdaContext = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    succeed,
    fail,
    done: firstOnly(done),
  };

  return { callback: firstOnly(callback), context, succeed, fail, markCompleted: () => (completed = true) };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function parseJsonHeader(value: string | undefined, name: string): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${String(err)}`);
  }
}

/**
 * Adds the invocation data to `context` and sets `_X_AMZN_TRACE_ID` for this invocation (deleted when
 * the platform sent no trace header). Throws when Client-Context or Cognito-Identity is not JSON.
 */
export function attachInvokeData(context: LambdaContext, headers: IncomingHttpHeaders): LambdaContext {
  const traceId = header(headers, 'lambda-runtime-trace-id');
  if (traceId) process.env['_X_AMZN_TRACE_ID'] = traceId;
  else delete process.env['_X_AMZN_TRACE_ID'];

  const deadline = Number(header(headers, 'lambda-runtime-deadline-ms'));
  return Object.assign(
    context,
    {
      functionVersion: process.env['AWS_LAMBDA_FUNCTION_VERSION'],
      functionName: process.env['AWS_LAMBDA_FUNCTION_NAME'],
      memoryLimitInMB: process.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'],
      logGroupName: process.env['AWS_LAMBDA_LOG_GROUP_NAME'],
      logStreamName: process.env['AWS_LAMBDA_LOG_STREAM_NAME'],
    },
    {
      clientContext: parseJsonHeader(header(headers, 'lambda-runtime-client-context'), 'ClientContext'),
      identity: parseJsonHeader(header(headers, 'lambda-runtime-cognito-identity'), 'CognitoIdentity'),
      invokedFunctionArn: header(headers, 'lambda-runtime-invoked-function-arn'),
      awsRequestId: header(headers, 'lambda-runtime-aws-request-id'),
      tenantId: header(headers, 'lambda-runtime-aws-tenant-id'),
      getRemainingTimeInMillis: () => deadline - Date.now(),
    },
  );
}
