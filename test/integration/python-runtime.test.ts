// Python functions end to end: the API, the engine, the sandbox and Nimbus's Python runtime client
// (src/runtimes/python) on the host's real interpreter. The scenarios mirror the Node.js ones (echo, warm
// state, context, errors, timeout, exit, big response) and the environment is compared with the variables
// AWS recorded for python3.12.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { environmentProcesses, eventually, invoke } from '../helpers/invoke.js';
import { type TestServer, serverPerSuite } from '../helpers/server.js';
import { recordedEnvironment } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

const RUNTIME = 'python3.12';
const python = { Runtime: RUNTIME, Handler: 'index.handler' } as const;

describe('python runtime', () => {
  let server: TestServer;
  let isolated: boolean;
  serverPerSuite((s, sandboxed) => {
    server = s;
    isolated = sandboxed;
  });

  it('echoes the event and keeps module state in a warm environment', async () => {
    await deployFixture(server.lambda, 'python-echo', 'py-echo', python);
    const echo = await invoke(server.lambda, 'py-echo', { a: [1, 2, { b: 'ü' }] });
    assert.equal(echo.functionError, undefined, echo.payloadText);
    assert.deepEqual(echo.payload, { a: [1, 2, { b: 'ü' }] });
    assert.match(echo.log, /Init Duration/);
    await deployFixture(server.lambda, 'python-counter', 'py-counter', python);
    assert.deepEqual((await invoke(server.lambda, 'py-counter')).payload, { count: 1 });
    const warm = await invoke(server.lambda, 'py-counter');
    assert.deepEqual(warm.payload, { count: 2 });
    assert.doesNotMatch(warm.log, /Init Duration/);
  });

  it('gives the handler the context and exactly the environment variables AWS gives python3.12', async () => {
    await deployFixture(server.lambda, 'python-context', 'py-context', { ...python, MemorySize: 256, Environment: { Variables: { USER_KEY: 'v' } } });
    const result = await invoke(server.lambda, 'py-context');
    const ctx = result.payload as Record<string, unknown> & { env: Record<string, string>; remaining_time_in_millis: number };
    assert.equal(ctx['function_name'], 'py-context');
    assert.equal(ctx['memory_limit_in_mb'], '256', 'a string, as AWS records it for Python');
    assert.equal(ctx['function_version'], '$LATEST');
    assert.match(String(ctx['invoked_function_arn']), /^arn:aws:lambda:us-east-1:\d{12}:function:py-context$/);
    assert.ok(ctx.remaining_time_in_millis > 0 && ctx.remaining_time_in_millis <= 3000);
    assert.equal(ctx.env['AWS_EXECUTION_ENV'], `AWS_Lambda_${RUNTIME}`);
    assert.equal(ctx.env['USER_KEY'], 'v');
    if (isolated) {
      assert.equal(ctx['cwd'], '/var/task');
      assert.equal(ctx.env['PYTHONPATH'], '/var/runtime');
    }

    const probe = `import os\ndef handler(event, context):\n    return sorted(os.environ.keys())\n`;
    await deployFixture(server.lambda, 'python-echo', 'py-env', { ...python, Code: { ZipFile: await makeZip({ 'index.py': probe }) }, Environment: { Variables: { TEST_KEY: 'TEST_VAL' } } });
    const keys = (await invoke(server.lambda, 'py-env')).payload as string[];
    const aws = recordedEnvironment(RUNTIME);
    assert.deepEqual(keys, Object.keys(aws).sort());
  });

  it('returns a raised exception as AWS\'s Python error payload', async () => {
    await deployFixture(server.lambda, 'python-throw', 'py-throw', python);
    const result = await invoke(server.lambda, 'py-throw', { amount: 'x' });
    assert.equal(result.functionError, 'Unhandled');
    const payload = result.payload as { errorMessage: string; errorType: string; requestId: string; stackTrace: string[] };
    assert.deepEqual(Object.keys(payload), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    assert.equal(payload.errorType, 'ValueError');
    assert.equal(payload.errorMessage, 'boom');
    assert.match(payload.stackTrace.join(''), /index\.py", line \d+, in parse_amount/);
    assert.match(result.log, /\[ERROR\] ValueError: boom/);
  });

  it('reports init failures with the Runtime.* error types', async () => {
    await deployFixture(server.lambda, 'python-no-handler', 'py-nohandler', python);
    const missing = await invoke(server.lambda, 'py-nohandler');
    assert.equal((missing.payload as { errorType: string }).errorType, 'Runtime.HandlerNotFound');
    await deployFixture(server.lambda, 'python-echo', 'py-nomodule', { ...python, Handler: 'nope.handler' });
    const noModule = await invoke(server.lambda, 'py-nomodule');
    assert.deepEqual(
      { type: (noModule.payload as { errorType: string }).errorType, message: (noModule.payload as { errorMessage: string }).errorMessage },
      { type: 'Runtime.ImportModuleError', message: 'Unable to import module \'nope\': No module named \'nope\'' },
    );
  });

  it('reports sys.exit in a handler as Runtime.ExitError and starts a fresh environment next', async () => {
    await deployFixture(server.lambda, 'python-exit', 'py-exit', python);
    const crashed = await invoke(server.lambda, 'py-exit');
    const requestId = /START RequestId: (\S+)/.exec(crashed.log)?.[1];
    assert.deepEqual(crashed.payload, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
  });

  it('stops a timed-out handler and every process it started', async () => {
    const hang = [
      'import os, subprocess, time',
      'def handler(event, context):',
      '    if event.get("hang"):',
      '        subprocess.Popen(["sleep", "301"], start_new_session=True)',
      '        time.sleep(60)',
      '    return os.environ["AWS_LAMBDA_LOG_STREAM_NAME"]',
      '',
    ].join('\n');
    await deployFixture(server.lambda, 'python-echo', 'py-timeout', { ...python, Timeout: 1, Code: { ZipFile: await makeZip({ 'index.py': hang }) } });
    const env = (await invoke(server.lambda, 'py-timeout')).payload as string;
    const pending = invoke(server.lambda, 'py-timeout', { hang: true });
    assert.ok(await eventually(() => environmentProcesses(env).some((p) => p.command === 'sleep 301')), 'the handler started its grandchild');
    const result = await pending;
    assert.equal((result.payload as { errorType: string }).errorType, 'Sandbox.Timedout');
    assert.deepEqual(environmentProcesses(env), [], 'no process of the environment survived');
  });

  it('returns a 2 MB response intact and refuses one over 6 MB', async () => {
    await deployFixture(server.lambda, 'python-big-response', 'py-big', { ...python, MemorySize: 512 });
    const big = await invoke(server.lambda, 'py-big', { size: 2 * 1024 * 1024 });
    assert.equal((big.payload as string).length, 2 * 1024 * 1024);
    const tooBig = await invoke(server.lambda, 'py-big', { size: 7 * 1024 * 1024 });
    assert.equal((tooBig.payload as { errorType: string }).errorType, 'Function.ResponseSizeTooLarge');
  });
});
