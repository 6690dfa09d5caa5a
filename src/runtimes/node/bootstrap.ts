/**
 * Entry point of the Nimbus Node.js runtime client, run inside an execution environment as
 * `node bootstrap.js` with the task root as cwd. Speaks only the Lambda Runtime API, depends only on
 * Node built-ins, and follows aws-lambda-ric 3.x `src/index.mjs`:
 * 0. a pre-started runtime first waits for its function's environment (slot.ts);
 * 1. patch the console, install crash handlers, the 'beforeExit' hook and the `awslambda` global;
 * 2. load `_HANDLER` from `LAMBDA_TASK_ROOT`; on failure log "Uncaught Exception", POST /init/error, exit 129;
 * 3. loop over invocations (invoke-loop.ts).
 * Exit codes: 129 uncaught exception (init or invoke), 128 unhandled rejection, 1 Runtime API unreachable.
 * Built as CommonJS with few files by tsconfig.runtime.json: an ES module graph here cost ~20 ms of every
 * cold start. ES module handlers are still loaded with a real `import()` (handler-loader.ts).
 */
import { logError, patchConsole } from './console-patch.js';
import { beforeExit } from './context.js';
import { toRapidResponse, UnhandledPromiseRejection } from './errors.js';
import { loadHandler, type Handler } from './handler-loader.js';
import { InvokeLoop } from './invoke-loop.js';
import { installAwsLambdaGlobal } from './response-stream.js';
import { RuntimeApiClient } from './runtime-api-client.js';
import { awaitFunction, SLOT_VARIABLE } from './slot.js';

const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;
const EXIT_API_UNAVAILABLE = 1;

let loop: InvokeLoop | undefined;
let crashing = false;

function exitApiUnavailable(error: unknown): void {
  process.stderr.write(`Nimbus runtime: Runtime API unavailable: ${String(error)}\n`);
  process.exit(EXIT_API_UNAVAILABLE);
}

/** Reports a fatal error for the invocation in progress (or as an init error before the first one), then exits. */
function crash(client: RuntimeApiClient, error: unknown, exitCode: number): void {
  if (crashing) return;
  crashing = true;
  const body = toRapidResponse(error);
  const requestId = loop?.currentRequestId;
  loop?.abandonCurrent();
  const posted = requestId === undefined ? client.postInitError(body) : client.postError(requestId, body);
  posted.then(
    () => process.exit(exitCode),
    () => process.exit(exitCode),
  );
}

function installCrashHandlers(client: RuntimeApiClient): void {
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    crash(client, error, EXIT_UNCAUGHT_EXCEPTION);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    crash(client, error, EXIT_UNHANDLED_REJECTION);
  });
}

async function main(): Promise<void> {
  let client: RuntimeApiClient | undefined;
  if (process.env[SLOT_VARIABLE] === '1') {
    // A pre-started runtime connects to its Runtime API while it waits: a process's first request costs milliseconds.
    client = new RuntimeApiClient(process.env['AWS_LAMBDA_RUNTIME_API'] ?? '');
    await client.ping().catch(() => undefined);
    awaitFunction();
  }
  patchConsole();
  const api = process.env['AWS_LAMBDA_RUNTIME_API'];
  if (!api) {
    exitApiUnavailable(new Error('AWS_LAMBDA_RUNTIME_API is not set'));
    return;
  }
  client ??= new RuntimeApiClient(api);
  installCrashHandlers(client);
  beforeExit.install();
  installAwsLambdaGlobal();

  const taskRoot = process.env['LAMBDA_TASK_ROOT'] ?? process.cwd();
  const handlerName = process.env['_HANDLER'] ?? process.argv[2] ?? '';
  let handler: Handler;
  try {
    handler = await loadHandler(taskRoot, handlerName);
  } catch (err) {
    // The RIC lets this reach its 'uncaughtException' listener; same log line, report and exit code.
    logError('Uncaught Exception', err);
    crash(client, err, EXIT_UNCAUGHT_EXCEPTION);
    return;
  }
  if (crashing) return;
  loop = new InvokeLoop(client, handler, exitApiUnavailable);
  loop.schedule();
}

// A CommonJS entry has no top-level await. Rethrowing on a fresh tick makes a failure outside the handler
// load an uncaught exception, as a rejected top-level await of the former ES module entry was.
main().catch((error: unknown) => {
  process.nextTick(() => {
    throw error;
  });
});
