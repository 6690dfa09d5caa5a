// Runs the Node runtime client (dist/src/runtimes/node/bootstrap.js) as a real child process against a
// fake Runtime API on 127.0.0.1:0, using the fixtures under test/fixtures/functions.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type RuntimeClient, startRuntimeClient } from '../helpers/fake-runtime-api.js';

const BOOTSTRAP = fileURLToPath(new URL('../../src/runtimes/node/bootstrap.js', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/functions/', import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:fn:$LATEST';
const LINE_START = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t/;

type Runtime = RuntimeClient;

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((fn) => fn()));

function startRuntime(dir: string, handler: string, env: Record<string, string> = {}): Promise<Runtime> {
  return startRuntimeClient(
    { command: process.execPath, args: [BOOTSTRAP], dir, handler, arn: ARN, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } },
    cleanups,
  );
}

function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

/** A throwaway function package for behaviours no realistic fixture shows. */
function tempFunction(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-node-rt-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function invokeOnce(dir: string, handler: string, event: unknown, headers: Record<string, string> = {}) {
  const rt = await startRuntime(dir, handler);
  rt.api.enqueue('req-1', event, headers);
  const [post] = await rt.api.waitForPosts(1);
  assert.ok(post);
  return { rt, post };
}

async function waitForStdout(rt: Runtime, text: string): Promise<void> {
  while (!rt.stdout().includes(text)) await once(rt.child.stdout ?? rt.child, 'data');
}

describe('Node runtime client', { timeout: 20_000 }, () => {
  it('echoes a CommonJS handler result as JSON', async () => {
    const { post } = await invokeOnce(fixture('echo'), 'index.handler', { a: 1, b: [true, null] });
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/response');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.text, '{"a":1,"b":[true,null]}');
  });

  it('answers null for an undefined result', async () => {
    const { post } = await invokeOnce(fixture('void'), 'index.handler', {});
    assert.equal(post.text, 'null');
  });

  it('loads .mjs with top-level await', async () => {
    const { post } = await invokeOnce(fixture('esm'), 'index.handler', { x: 1 });
    assert.deepEqual(JSON.parse(post.text), { esm: true, topLevelAwait: true, event: { x: 1 } });
  });

  it('imports .js as an ES module under package.json "type": "module"', async () => {
    const { post } = await invokeOnce(fixture('esm-pkg-type'), 'app.handler', 1);
    assert.deepEqual(JSON.parse(post.text), { module: 'esm', event: 1 });
  });

  it('resolves a nested module path and export name', async () => {
    const { post } = await invokeOnce(fixture('nested'), 'lib/handlers/main.run', [1, 2]);
    assert.deepEqual(JSON.parse(post.text), { nested: true, event: [1, 2] });
  });

  it('supports callback-style handlers, for results and errors', async () => {
    const rt = await startRuntime(fixture('callback'), 'index.handler');
    rt.api.enqueue('req-1', { n: 1 });
    rt.api.enqueue('req-2', { fail: 'nope' });
    const [ok, failed] = await rt.api.waitForPosts(2);
    assert.deepEqual(JSON.parse(ok?.text ?? ''), { callback: true, event: { n: 1 } });
    assert.equal(failed?.path, '/2018-06-01/runtime/invocation/req-2/error');
    assert.equal(JSON.parse(failed?.text ?? '').errorMessage, 'nope');
  });

  it('ignores the return value of a non-async handler and answers null once the event loop is empty', async () => {
    const dir = tempFunction({ 'index.js': 'exports.handler = (event) => event;\n' });
    const { post } = await invokeOnce(dir, 'index.handler', { a: 1 });
    assert.equal(post.text, 'null');
  });

  it('fills the context object, the environment and _X_AMZN_TRACE_ID', async () => {
    const rt = await startRuntime(fixture('context'), 'index.handler', { USER_COLOR: 'blue' });
    rt.api.enqueue('req-1', {}, {
      'Lambda-Runtime-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"}}',
      'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
    });
    rt.api.enqueue('req-2', {});
    const [first, second] = (await rt.api.waitForPosts(2)).map((p) => JSON.parse(p.text));
    assert.equal(first.awsRequestId, 'req-1');
    assert.equal(first.functionName, 'fn');
    assert.equal(first.functionVersion, '$LATEST');
    assert.equal(first.invokedFunctionArn, ARN);
    assert.equal(first.memoryLimitInMB, '256');
    assert.equal(first.logGroupName, '/aws/lambda/fn');
    assert.equal(first.logStreamName, '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef');
    assert.ok(first.remainingTimeInMillis > 0 && first.remainingTimeInMillis <= 30_000);
    assert.equal(first.callbackWaitsForEmptyEventLoop, true);
    assert.deepEqual(first.clientContext, { custom: { k: 'v' } });
    assert.deepEqual(first.identity, { cognitoIdentityId: 'id', cognitoIdentityPoolId: 'pool' });
    assert.equal(first.env.USER_COLOR, 'blue');
    assert.equal(first.env._HANDLER, 'index.handler');
    assert.equal(first.env._X_AMZN_TRACE_ID, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.equal(second.awsRequestId, 'req-2');
    assert.equal(second.env._X_AMZN_TRACE_ID, undefined);
    assert.equal(second.clientContext, null);
  });

  it('keeps module state across invocations', async () => {
    const rt = await startRuntime(fixture('counter'), 'index.handler');
    rt.api.enqueue('req-1', {});
    rt.api.enqueue('req-2', {});
    const posts = await rt.api.waitForPosts(2);
    assert.deepEqual(posts.map((p) => JSON.parse(p.text)), [{ count: 1 }, { count: 2 }]);
  });

  it('reports a thrown error and logs it as "Invoke Error"', async () => {
    const { rt, post } = await invokeOnce(fixture('throw'), 'index.handler', {});
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/error');
    assert.equal(post.headers['lambda-runtime-function-error-type'], undefined);
    const body = JSON.parse(post.text);
    assert.deepEqual(Object.keys(body), ['errorType', 'errorMessage', 'trace']);
    assert.equal(body.errorType, 'TypeError');
    assert.equal(body.errorMessage, 'boom');
    assert.equal(body.trace[0], 'TypeError: boom');
    assert.match(body.trace[1], /^ {4}at /);
    await waitForStdout(rt, 'Invoke Error');
    const line = rt.stdout().split('\n').find((l) => l.includes('Invoke Error')) ?? '';
    assert.match(line, LINE_START);
    assert.ok(line.includes('\treq-1\tERROR\tInvoke Error \t{"errorType":"TypeError","errorMessage":"boom","stack":["TypeError: boom",'), line);
  });

  it('reports a thrown string with errorType "string"', async () => {
    const dir = tempFunction({ 'index.js': "exports.handler = async () => { throw 'plain'; };\n" });
    const { post } = await invokeOnce(dir, 'index.handler', {});
    assert.deepEqual(JSON.parse(post.text), { errorType: 'string', errorMessage: 'plain', trace: [] });
  });

  it('reports an event that is not JSON as an invocation error', async () => {
    const { post } = await invokeOnce(fixture('echo'), 'index.handler', '{not json');
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/error');
    assert.equal(JSON.parse(post.text).errorType, 'SyntaxError');
  });

  for (const c of [
    { name: 'a missing module', dir: 'echo', handler: 'missing.handler', type: 'Runtime.ImportModuleError', message: /^Error: Cannot find module 'missing'\nRequire stack:\n- \S+handler-loader\.js$/ },
    { name: 'a missing export', dir: 'no-handler', handler: 'index.handler', type: 'Runtime.HandlerNotFound', message: /^index\.handler is undefined or not exported$/ },
    { name: 'a malformed handler', dir: 'echo', handler: 'index', type: 'Runtime.MalformedHandlerName', message: /^Bad handler$/ },
    { name: 'a module that throws at load', dir: 'init-throw', handler: 'index.handler', type: 'Error', message: /^init failed$/ },
  ]) {
    it(`reports ${c.name} as an init error and exits 129`, async () => {
      const rt = await startRuntime(fixture(c.dir), c.handler);
      const [post] = await rt.api.waitForPosts(1);
      assert.equal(post?.path, '/2018-06-01/runtime/init/error');
      assert.equal(post?.headers['lambda-runtime-function-error-type'], c.type);
      const body = JSON.parse(post?.text ?? '');
      assert.equal(body.errorType, c.type);
      assert.match(body.errorMessage, c.message);
      assert.ok(Array.isArray(body.trace));
      assert.equal(await rt.exited, 129);
      assert.match(rt.stdout(), new RegExp(`\\tundefined\\tERROR\\tUncaught Exception \\t\\{"errorType":"${c.type.replace('.', '\\.')}"`));
    });
  }

  it('writes one stdout line per console call, multi-line messages joined with \\r', async () => {
    const { rt } = await invokeOnce(fixture('logs'), 'index.handler', {});
    await waitForStdout(rt, 'line three');
    const lines = rt.stdout().split('\n').filter((l) => l !== '');
    for (const line of lines) assert.match(line, LINE_START);
    const rest = lines.map((l) => l.slice(25));
    assert.deepEqual(rest, [
      'req-1\tINFO\thello from logs',
      'req-1\tWARN\tcareful',
      'req-1\tERROR\tsomething failed { code: 42 }',
      'req-1\tINFO\tline one\rline two\rline three',
    ]);
  });

  it('writes JSON log lines and filters by level when AWS_LAMBDA_LOG_FORMAT=JSON', async () => {
    const rt = await startRuntime(fixture('logs'), 'index.handler', { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' });
    rt.api.enqueue('req-1', {});
    await rt.api.waitForPosts(1);
    await waitForStdout(rt, 'something failed');
    const records = rt.stdout().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    assert.deepEqual(records.map((r) => [r.level, r.requestId, r.message]), [
      ['WARN', 'req-1', 'careful'],
      ['ERROR', 'req-1', 'something failed { code: 42 }'],
    ]);
    assert.match(records[0].timestamp, /Z$/);
  });

  it('exits with the handler’s own exit code and posts nothing', async () => {
    const rt = await startRuntime(fixture('exit'), 'index.handler');
    rt.api.enqueue('req-1', {});
    assert.equal(await rt.exited, 3);
    assert.equal(rt.api.posts.length, 0);
  });

  it('exits non-zero when /next fails', async () => {
    const rt = await startRuntime(fixture('echo'), 'index.handler');
    rt.api.nextStatus = 500;
    rt.api.enqueue('req-1', {});
    assert.equal(await rt.exited, 1);
  });
});
