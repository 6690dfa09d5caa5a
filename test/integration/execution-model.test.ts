// The execution model through the real API and real runtime processes: warm reuse, cold starts, concurrency,
// timeouts that kill the whole process tree, crashes, init errors, and retirement on updates.
import { UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployFixture, fixtureZip } from '../helpers/functions.js';
import { environmentProcesses, eventually, invoke, isAlive } from '../helpers/invoke.js';
import { functionLogMessages, startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

const SLOW_OR_HANG = `
const { spawn } = require('node:child_process');
let count = 0;
exports.handler = async (event) => {
  count += 1;
  if (event.hang) {
    const child = spawn('setsid', ['sleep', '300'], { detached: true, stdio: 'ignore' });
    child.unref();
    await new Promise((r) => setTimeout(r, 600000));
  }
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  // The log stream names the environment (process.pid is the same in every PID namespace).
  return { env: process.env.AWS_LAMBDA_LOG_STREAM_NAME, count };
};`;
type Identified = { env: string; count: number };

describe('execution model', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  it('reuses a warm environment: module state survives and only the cold start reports Init Duration', async () => {
    await deployFixture(server.lambda, 'counter', 'counter');
    const first = await invoke(server.lambda, 'counter');
    const second = await invoke(server.lambda, 'counter');
    assert.deepEqual(first.payload, { count: 1 });
    assert.deepEqual(second.payload, { count: 2 });
    assert.match(first.log, /^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    assert.match(first.log, /\nREPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t\n$/);
    assert.doesNotMatch(second.log, /Init Duration/);
    assert.equal(first.executedVersion, '$LATEST');
  });

  it('gives concurrent invocations separate environments and reuses them afterwards', async () => {
    await deployFixture(server.lambda, 'counter', 'concurrent', { Code: { ZipFile: await makeZip({ 'index.js': SLOW_OR_HANG }) } });
    const [a, b] = await Promise.all([invoke(server.lambda, 'concurrent', { sleepMs: 300 }), invoke(server.lambda, 'concurrent', { sleepMs: 300 })]);
    const envs = new Set([(a.payload as Identified).env, (b.payload as Identified).env]);
    assert.equal(envs.size, 2, 'two environments ran at once');
    const c = await invoke(server.lambda, 'concurrent');
    assert.ok(envs.has((c.payload as Identified).env), 'a warm environment was reused');
    assert.equal((c.payload as Identified).count, 2);
  });

  it('stops a timed-out invocation, kills every process it started, and cold-starts the next one', async () => {
    await deployFixture(server.lambda, 'counter', 'hanger', { Timeout: 1, Code: { ZipFile: await makeZip({ 'index.js': SLOW_OR_HANG }) } });
    const { env } = (await invoke(server.lambda, 'hanger')).payload as Identified;
    const pending = invoke(server.lambda, 'hanger', { hang: true });
    assert.ok(await eventually(() => environmentProcesses(env).some((p) => p.command === 'sleep 300')), 'the handler started its detached grandchild');
    const timedOut = await pending;
    assert.equal(timedOut.functionError, 'Unhandled');
    assert.equal(timedOut.statusCode, 200);
    const requestId = /START RequestId: (\S+)/.exec(timedOut.log)?.[1];
    assert.deepEqual(timedOut.payload, {
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds`,
    });
    assert.match(timedOut.log, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 1.00 seconds\n`));
    assert.match(timedOut.log, /\tStatus: timeout\n$/);
    // Checked from outside: no host process of that environment is left, the setsid grandchild included.
    assert.deepEqual(environmentProcesses(env), [], 'every process of the environment was killed');
    const next = await invoke(server.lambda, 'hanger');
    assert.equal(next.functionError, undefined);
    assert.deepEqual((next.payload as { count: number }).count, 1, 'a fresh environment');
    assert.match(next.log, /Init Duration/);
  });

  it('reports a runtime that exits mid-invocation as Runtime.ExitError and recovers', async () => {
    await deployFixture(server.lambda, 'exit', 'exiter');
    const crashed = await invoke(server.lambda, 'exiter');
    const requestId = /START RequestId: (\S+)/.exec(crashed.log)?.[1];
    assert.equal(crashed.functionError, 'Unhandled');
    assert.deepEqual(crashed.payload, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
    const again = await invoke(server.lambda, 'exiter');
    assert.equal((again.payload as { errorType: string }).errorType, 'Runtime.ExitError', 'the next invocation ran in a new environment');
  });

  it('returns a thrown error as AWS does (Unhandled, errorType/errorMessage/trace)', async () => {
    await deployFixture(server.lambda, 'throw', 'thrower');
    const result = await invoke(server.lambda, 'thrower');
    assert.equal(result.functionError, 'Unhandled');
    const payload = result.payload as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual(Object.keys(payload), ['errorType', 'errorMessage', 'trace']);
    assert.equal(payload.errorType, 'TypeError');
    assert.equal(payload.errorMessage, 'boom');
    assert.ok(payload.trace.some((line) => line.includes('index.js')));
    assert.match(result.log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"boom"/);
  });

  it('reports init failures with the runtime error types', async () => {
    await deployFixture(server.lambda, 'no-handler', 'nohandler');
    const missing = await invoke(server.lambda, 'nohandler');
    assert.equal(missing.functionError, 'Unhandled');
    assert.equal((missing.payload as { errorType: string }).errorType, 'Runtime.HandlerNotFound');
    assert.equal((missing.payload as { errorMessage: string }).errorMessage, 'index.handler is undefined or not exported');
    await deployFixture(server.lambda, 'echo', 'badmodule', { Handler: 'nope.handler' });
    const noModule = await invoke(server.lambda, 'badmodule');
    assert.equal((noModule.payload as { errorType: string }).errorType, 'Runtime.ImportModuleError');
  });

  it('reports a runtime that exits during init with the request id, as AWS does', async () => {
    await deployFixture(server.lambda, 'echo', 'initexit', { Code: { ZipFile: await makeZip({ 'index.js': 'process.exit(0);' }) } });
    const result = await invoke(server.lambda, 'initexit');
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.equal(result.functionError, 'Unhandled');
    assert.deepEqual(result.payload, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason` });
  });

  it('replaces an environment whose runtime died while idle', async () => {
    await deployFixture(server.lambda, 'counter', 'fragile', { Code: { ZipFile: await makeZip({ 'index.js': SLOW_OR_HANG }) } });
    const { env } = (await invoke(server.lambda, 'fragile')).payload as Identified;
    const runtime = environmentProcesses(env).find((p) => p.command.includes('bootstrap.js'));
    assert.ok(runtime !== undefined, 'found the runtime process from outside');
    process.kill(runtime.pid, 'SIGKILL');
    assert.ok(await eventually(() => !isAlive(runtime.pid)));
    const next = await invoke(server.lambda, 'fragile');
    assert.equal(next.functionError, undefined);
    assert.notEqual((next.payload as Identified).env, env);
    assert.match(next.log, /Init Duration/);
  });

  it('retires warm environments when code or configuration changes', async () => {
    await deployFixture(server.lambda, 'counter', 'retire');
    await invoke(server.lambda, 'retire');
    assert.deepEqual((await invoke(server.lambda, 'retire')).payload, { count: 2 });
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'retire', Environment: { Variables: { USER_FLAVOR: 'mint' } } }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'retire' });
    assert.deepEqual((await invoke(server.lambda, 'retire')).payload, { count: 1 }, 'new configuration, new environment');
    await server.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'retire', ZipFile: await fixtureZip('echo') }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'retire' });
    assert.deepEqual((await invoke(server.lambda, 'retire', { echoed: true })).payload, { echoed: true }, 'new code runs');
  });
});

describe('execution model: limits on init and on CPU-bound handlers', () => {
  let server: TestServer;
  before(async () => {
    // A short init limit keeps the test fast; Lambda's is 10 s (engine.initTimeoutMs defaults to it).
    server = await startTestServer({ engine: { initTimeoutMs: 500 } });
  });
  after(async () => {
    await server.stop();
  });

  const logMessages = (fn: string): Promise<string[]> => functionLogMessages(server, fn);

  it('retries an init that overran its limit inside the first invocation, under the function timeout (suppressed init)', async () => {
    const slowInit = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 900);
console.log('init done');
exports.handler = async () => ({ ok: true });`;
    await deployFixture(server.lambda, 'echo', 'slow-init', { Timeout: 5, Code: { ZipFile: await makeZip({ 'index.js': slowInit }) } });
    const first = await invoke(server.lambda, 'slow-init');
    assert.equal(first.functionError, undefined, first.payloadText);
    assert.deepEqual(first.payload, { ok: true });
    assert.doesNotMatch(first.log, /Init Duration/, 'the retried init is part of the invocation');
    const messages = await logMessages('slow-init');
    assert.ok(messages.includes('INIT_REPORT Init Duration: 500.00 ms\tPhase: init\tStatus: timeout'), messages.join('\n'));
    assert.equal(messages.filter((m) => m.startsWith('INIT_START')).length, 1);
    const second = await invoke(server.lambda, 'slow-init');
    assert.deepEqual(second.payload, { ok: true });
    assert.doesNotMatch(second.log, /init done/, 'the environment stayed warm after the retried init');
  });

  it('times out an init that never finishes with the function\'s timeout error', async () => {
    const hang = `Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
exports.handler = async () => 1;`;
    await deployFixture(server.lambda, 'echo', 'hang-init', { Timeout: 1, Code: { ZipFile: await makeZip({ 'index.js': hang }) } });
    const result = await invoke(server.lambda, 'hang-init');
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.equal(result.functionError, 'Unhandled');
    assert.deepEqual(result.payload, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after 1.00 seconds` });
    assert.match(result.log, /\tStatus: timeout\n$/);
  });

  it('stops a CPU-bound handler at its timeout, with nothing of the environment left running', async () => {
    const spin = `exports.handler = async (e) => {
  if (e.spin) for (;;) {}
  return { env: process.env.AWS_LAMBDA_LOG_STREAM_NAME };
};`;
    await deployFixture(server.lambda, 'echo', 'spinner', { Timeout: 1, Code: { ZipFile: await makeZip({ 'index.js': spin }) } });
    const { env } = (await invoke(server.lambda, 'spinner')).payload as { env: string };
    assert.ok(environmentProcesses(env).length > 0, 'the environment is running before the spin');
    const result = await invoke(server.lambda, 'spinner', { spin: true });
    assert.equal((result.payload as { errorType: string }).errorType, 'Sandbox.Timedout');
    assert.deepEqual(environmentProcesses(env), [], 'no process of the environment survived the timeout');
  });
});
