// Runs the Python runtime client (src/runtimes/python/bootstrap.py) under a real interpreter as a child
// process against a fake Runtime API on 127.0.0.1:0, using the python-* fixtures in test/fixtures/functions.
// NIMBUS_TEST_PYTHON=/path/to/python3.X runs the same file under another interpreter (3.9 to 3.13).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolvePython } from '../../src/runtimes/python-host.js';
import { type RuntimeClient, startRuntimeClient } from '../helpers/fake-runtime-api.js';

const BOOTSTRAP = fileURLToPath(new URL('../../../src/runtimes/python/bootstrap.py', import.meta.url));
const RUNTIME_DIR = path.dirname(BOOTSTRAP);
const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/functions/', import.meta.url));
const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:fn';
const TS = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
const NBSP = '\u00a0';

function isElfBinary(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    const magic = Buffer.alloc(4);
    readSync(fd, magic, 0, 4, 0);
    closeSync(fd);
    return magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } catch {
    return false;
  }
}

const override = process.env['NIMBUS_TEST_PYTHON'];
// The interpreter the product would pick (a real binary, never a shim), or the one named by NIMBUS_TEST_PYTHON.
const PYTHON = override === undefined ? resolvePython('3.11')?.path : isElfBinary(override) ? override : undefined;

type Runtime = RuntimeClient;

const cleanups: Array<() => void> = [];
after(() => cleanups.forEach((fn) => fn()));

function fixture(name: string): string {
  return path.join(FIXTURES, name);
}

function startRuntime(dir: string, handler: string, env: Record<string, string> = {}, extraFds = 0): Promise<Runtime> {
  // A missing interpreter fails every test here rather than skipping them: `npm test` installs python3 (setup.sh --test).
  assert.ok(PYTHON, 'no real Python 3 binary under /usr (or NIMBUS_TEST_PYTHON is not one): run scripts/setup.sh --test');
  const base = {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    // No __pycache__ written into src/runtimes/python or the fixtures (the standard library's is still read).
    PYTHONDONTWRITEBYTECODE: '1',
    LAMBDA_RUNTIME_DIR: RUNTIME_DIR,
  };
  return startRuntimeClient({ command: PYTHON, args: ['-u', '-S', BOOTSTRAP], dir, handler, arn: ARN, env: { ...base, ...env }, extraFds }, cleanups);
}

async function invokeOnce(dir: string, handler: string, event: unknown, headers: Record<string, string> = {}, env: Record<string, string> = {}) {
  const rt = await startRuntime(dir, handler, env);
  rt.api.enqueue('req-1', event, headers);
  const [post] = await rt.api.waitForPosts(1);
  assert.ok(post);
  return { rt, post };
}

/** stdout arrives on its own pipe, so it may trail the post that followed it. */
async function waitForStdout(rt: Runtime, text: string): Promise<string[]> {
  while (!rt.stdout().includes(text)) await once(rt.child.stdout ?? rt.child, 'data');
  return rt.stdout().split('\n').filter((l) => l !== '');
}

describe('Python runtime client', { timeout: 20_000 }, () => {
  it('echoes the event as JSON with Python separators', async () => {
    const { post } = await invokeOnce(fixture('python-echo'), 'index.handler', { a: 1, b: [true, null] });
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/response');
    assert.equal(post.headers['content-type'], 'application/json');
    assert.equal(post.text, '{"a": 1, "b": [true, null]}');
  });

  for (const handler of ['lib.handlers.main.run', 'lib/handlers/main.run']) {
    it(`loads the nested handler ${handler}`, async () => {
      const { post } = await invokeOnce(fixture('python-nested'), handler, [1, 2]);
      assert.deepEqual(JSON.parse(post.text), { nested: true, module: 'lib.handlers.main', event: [1, 2] });
    });
  }

  it('fills the context object, the environment and _X_AMZN_TRACE_ID per invocation', async () => {
    const dir = fixture('python-context');
    const rt = await startRuntime(dir, 'index.handler', { USER_COLOR: 'blue' });
    rt.api.enqueue('req-1', {}, {
      'Lambda-Runtime-Trace-Id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
      'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"},"env":{"locale":"en"},"client":{"installation_id":"inst-1"}}',
      'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
      'Lambda-Runtime-Aws-Tenant-Id': 'blue',
    });
    rt.api.enqueue('req-2', {});
    const [first, second] = (await rt.api.waitForPosts(2)).map((p) => JSON.parse(p.text));
    assert.equal(first.aws_request_id, 'req-1');
    assert.equal(first.function_name, 'fn');
    assert.equal(first.function_version, '$LATEST');
    assert.equal(first.invoked_function_arn, ARN);
    assert.equal(first.memory_limit_in_mb, '256', 'a string, as real AWS returns it');
    assert.equal(first.log_group_name, '/aws/lambda/fn');
    assert.equal(first.log_stream_name, '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef');
    assert.ok(first.remaining_time_in_millis > 0 && first.remaining_time_in_millis <= 30_000, String(first.remaining_time_in_millis));
    assert.deepEqual(first.identity, { cognito_identity_id: 'id', cognito_identity_pool_id: 'pool' });
    assert.deepEqual(first.client_context, { custom: { k: 'v' }, env: { locale: 'en' }, client_installation_id: 'inst-1' });
    assert.equal(first.tenant_id, 'blue');
    assert.equal(first.cwd, dir);
    assert.equal(first.sys_path[0], dir, 'the task root comes first');
    assert.ok(first.sys_path.indexOf(RUNTIME_DIR) > 0, 'the runtime directory stays behind it');
    assert.equal(first.env.USER_COLOR, 'blue');
    assert.equal(first.env._HANDLER, 'index.handler');
    assert.equal(first.env.PYTHONPATH, RUNTIME_DIR);
    assert.equal(first.env._X_AMZN_TRACE_ID, 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1');
    assert.equal(second.aws_request_id, 'req-2');
    assert.equal(second.env._X_AMZN_TRACE_ID, undefined);
    assert.equal(second.client_context, null);
    assert.equal(second.tenant_id, null);
    assert.deepEqual(second.identity, { cognito_identity_id: null, cognito_identity_pool_id: null });
  });

  it('keeps module state across invocations of one process', async () => {
    const rt = await startRuntime(fixture('python-counter'), 'index.handler');
    rt.api.enqueue('req-1', {});
    rt.api.enqueue('req-2', {});
    const posts = await rt.api.waitForPosts(2);
    assert.deepEqual(posts.map((p) => [p.path, JSON.parse(p.text)]), [
      ['/2018-06-01/runtime/invocation/req-1/response', { count: 1 }],
      ['/2018-06-01/runtime/invocation/req-2/response', { count: 2 }],
    ]);
    assert.equal(rt.child.exitCode, null);
  });

  it('reports a handler exception with its class name, the user frames and an [ERROR] line', async () => {
    const dir = fixture('python-throw');
    const { rt, post } = await invokeOnce(dir, 'index.handler', {});
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/error');
    assert.equal(post.headers['lambda-runtime-function-error-type'], 'ValueError');
    const body = JSON.parse(post.text);
    assert.deepEqual(Object.keys(body), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
    const frames = [
      `  File "${dir}/index.py", line 7, in handler\n    return parse_amount(event.get("amount", ""))\n`,
      `  File "${dir}/index.py", line 3, in parse_amount\n    raise ValueError("boom")\n`,
    ];
    assert.deepEqual(body, { errorMessage: 'boom', errorType: 'ValueError', requestId: 'req-1', stackTrace: frames });
    const lines = await waitForStdout(rt, '[ERROR]');
    const indent = (n: number) => NBSP.repeat(n);
    assert.deepEqual(lines, [
      [
        '[ERROR] ValueError: boom',
        'Traceback (most recent call last):',
        `${indent(2)}File "${dir}/index.py", line 7, in handler`,
        `${indent(4)}return parse_amount(event.get("amount", ""))`,
        `${indent(2)}File "${dir}/index.py", line 3, in parse_amount`,
        `${indent(4)}raise ValueError("boom")`,
      ].join('\r'),
    ]);
  });

  // The RIC prints SyntaxError.text as is, indentation included, after its own four spaces.
  const syntaxTrace = `  File "${fixture('python-syntax-error')}/index.py" Line 3\n        return {"statusCode": 200,, "body": event}\n`;
  for (const c of [
    { name: 'a missing module', dir: 'python-echo', handler: 'missing.handler', type: 'Runtime.ImportModuleError', message: "Unable to import module 'missing': No module named 'missing'", trace: [] },
    { name: 'a missing function', dir: 'python-no-handler', handler: 'index.handler', type: 'Runtime.HandlerNotFound', message: "Handler 'handler' missing on module 'index'", trace: [] },
    { name: 'a syntax error', dir: 'python-syntax-error', handler: 'index.handler', type: 'Runtime.UserCodeSyntaxError', message: "Syntax error in module 'index': invalid syntax (index.py, line 3)", trace: [syntaxTrace] },
    { name: 'a handler without a dot', dir: 'python-echo', handler: 'index', type: 'Runtime.MalformedHandlerName', message: "Bad handler 'index': not enough values to unpack (expected 2, got 1)", trace: [] },
    { name: 'a built-in module', dir: 'python-echo', handler: 'sys.handler', type: 'Runtime.BuiltInModuleConflict', message: 'Cannot use built-in module sys as a handler module', trace: [] },
  ]) {
    it(`reports ${c.name} as ${c.type} on /init/error and exits 1`, async () => {
      const rt = await startRuntime(fixture(c.dir), c.handler);
      const [post] = await rt.api.waitForPosts(1);
      assert.equal(post?.path, '/2018-06-01/runtime/init/error');
      assert.equal(post?.headers['lambda-runtime-function-error-type'], c.type);
      assert.deepEqual(JSON.parse(post?.text ?? ''), { errorMessage: c.message, errorType: c.type, requestId: '', stackTrace: c.trace });
      assert.equal(await rt.exited, 1);
      assert.equal(rt.api.nextCalls, 0);
      const lines = rt.stdout().split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 2);
      assert.match(lines[0] ?? '', new RegExp(`^\\[WARNING\\]\\t${TS}\\t\\tLAMBDA_WARNING: Unhandled exception\\. .*runtimes-update\\.html\\r$`));
      assert.ok(lines[1]?.startsWith(`[ERROR] ${c.type}: ${c.message}\rTraceback (most recent call last):`), lines[1]);
    });
  }

  it('reports an exception raised at import under its own class, with importlib and user frames', async () => {
    const dir = fixture('python-init-throw');
    const rt = await startRuntime(dir, 'index.handler');
    const [post] = await rt.api.waitForPosts(1);
    assert.equal(post?.path, '/2018-06-01/runtime/init/error');
    assert.equal(post?.headers['lambda-runtime-function-error-type'], 'Exception');
    const body = JSON.parse(post?.text ?? '');
    assert.deepEqual([body.errorMessage, body.errorType, body.requestId], ['init failed', 'Exception', '']);
    const trace = body.stackTrace as string[];
    assert.match(trace[0] ?? '', /^ {2}File ".*\/importlib\/__init__\.py", line \d+, in import_module\n/);
    assert.equal(trace.at(-1), `  File "${dir}/index.py", line 2, in <module>\n    raise Exception("init failed")\n`);
    assert.ok(trace.every((frame) => !frame.includes(RUNTIME_DIR)), 'runtime frames are left out');
    assert.equal(await rt.exited, 1);
  });

  it('reports an unserialisable result as Runtime.MarshalError', async () => {
    const { rt, post } = await invokeOnce(fixture('python-results'), 'index.unserialisable', {});
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/error');
    assert.equal(post.headers['lambda-runtime-function-error-type'], 'Runtime.MarshalError');
    assert.equal(
      post.text,
      '{"errorMessage": "Unable to marshal response: Object of type set is not JSON serializable", "errorType": "Runtime.MarshalError", "requestId": "req-1", "stackTrace": []}',
    );
    await waitForStdout(rt, '[ERROR] Runtime.MarshalError: Unable to marshal response');
  });

  it('reports an event that is not JSON as Runtime.UnmarshalError', async () => {
    const { post } = await invokeOnce(fixture('python-echo'), 'index.handler', '{not json');
    const body = JSON.parse(post.text);
    assert.equal(body.errorType, 'Runtime.UnmarshalError');
    assert.match(body.errorMessage, /^Unable to unmarshal input: Expecting property name enclosed in double quotes/);
  });

  it('answers null for None', async () => {
    const { post } = await invokeOnce(fixture('python-results'), 'index.nothing', {});
    assert.equal(post.path, '/2018-06-01/runtime/invocation/req-1/response');
    assert.equal(post.text, 'null');
  });

  it('writes Decimal values with their exact digits', async () => {
    const { post } = await invokeOnce(fixture('python-results'), 'index.decimals', {});
    assert.equal(post.text, '{"price": 19.90, "count": 3, "big": 12345678901234567890.5}');
  });

  for (const [runtime, expected] of [
    ['python3.11', '{"price": "\\u00a31.00"}'],
    ['python3.12', '{"price": "£1.00"}'],
  ] as const) {
    it(`escapes non-ASCII output as AWS's ${runtime} runtime does`, async () => {
      const { post } = await invokeOnce(fixture('python-results'), 'index.unicode', {}, {}, { AWS_EXECUTION_ENV: `AWS_Lambda_${runtime}` });
      assert.equal(post.text, expected);
    });
  }

  it('sends a bytes result as is, as application/unknown', async () => {
    const { post } = await invokeOnce(fixture('python-results'), 'index.raw_bytes', {});
    assert.equal(post.headers['content-type'], 'application/unknown');
    assert.deepEqual(post.body, Buffer.from('\x00raw', 'latin1'));
  });

  it('returns a 2 MB response intact', async () => {
    const size = 2 * 1024 * 1024;
    const { post } = await invokeOnce(fixture('python-big-response'), 'index.handler', { size });
    assert.equal(post.body.length, size + 2);
    assert.ok(post.text === `"${'x'.repeat(size)}"`);
  });

  it('exits with the handler’s sys.exit code and posts nothing', async () => {
    const rt = await startRuntime(fixture('python-exit'), 'index.handler');
    rt.api.enqueue('req-1', {});
    assert.equal(await rt.exited, 3);
    assert.equal(rt.api.posts.length, 0);
  });

  it('writes print output unchanged and logging records in the Text format, one line each', async () => {
    const dir = fixture('python-logs');
    const { rt, post } = await invokeOnce(dir, 'index.handler', {});
    assert.equal(post.text, '"logged"');
    const lines = await waitForStdout(rt, 'second line');
    assert.deepEqual(lines.slice(0, 4), ['hello from print', 'line one', 'line two', 'line three']);
    const records = lines.slice(4);
    assert.equal(records.length, 3, 'DEBUG and INFO are below the root logger’s default WARNING level');
    assert.match(records[0] ?? '', new RegExp(`^\\[WARNING\\]\\t${TS}\\treq-1\\tcareful: low disk$`));
    assert.match(records[1] ?? '', new RegExp(`^\\[ERROR\\]\\t${TS}\\treq-1\\tlookup failed\\rTraceback \\(most recent call last\\):\\r {2}File "${dir}/index.py", line 15, in handler\\r[^\\n]*\\rKeyError: 'missing'$`));
    assert.match(records[2] ?? '', new RegExp(`^\\[ERROR\\]\\t${TS}\\treq-1\\tfirst line\\rsecond line$`));
  });

  it('writes JSON log records filtered by AWS_LAMBDA_LOG_LEVEL, and print output as plain text', async () => {
    const dir = fixture('python-logs');
    const { rt } = await invokeOnce(dir, 'index.handler', {}, {}, { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' });
    const lines = await waitForStdout(rt, 'second line');
    assert.deepEqual(lines.slice(0, 4), ['hello from print', 'line one', 'line two', 'line three']);
    const records = lines.slice(4).map((l) => JSON.parse(l));
    assert.deepEqual(records.map((r) => [r.level, r.message, r.requestId, r.logger]), [
      ['WARNING', 'careful: low disk', 'req-1', 'root'],
      ['ERROR', 'lookup failed', 'req-1', 'root'],
      ['ERROR', 'first line\nsecond line', 'req-1', 'root'],
    ]);
    assert.deepEqual(Object.keys(records[0]), ['timestamp', 'level', 'message', 'logger', 'requestId', 'disk']);
    assert.match(records[0].timestamp, new RegExp(`^${TS}$`));
    assert.equal(records[0].disk, '/tmp');
    assert.deepEqual(Object.keys(records[1]), ['timestamp', 'level', 'message', 'logger', 'stackTrace', 'errorType', 'errorMessage', 'requestId', 'location']);
    assert.equal(records[1].errorType, 'KeyError');
    assert.equal(records[1].errorMessage, "'missing'");
    assert.match(records[1].stackTrace[0], new RegExp(`^ {2}File "${dir}/index.py", line 15, in handler\\n`));
    assert.equal(records[1].location, `${dir}/index.py:handler:17`);
  });

  it('writes framed records to _LAMBDA_TELEMETRY_LOG_FD when the platform provides one', async () => {
    const rt = await startRuntime(fixture('python-logs'), 'index.handler', { _LAMBDA_TELEMETRY_LOG_FD: '3', AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'WARN' }, 1);
    const chunks: Buffer[] = [];
    (rt.child.stdio[3] as Readable).on('data', (c: Buffer) => chunks.push(c));
    rt.api.enqueue('req-1', {});
    await rt.api.waitForPosts(1);
    await waitForStdout(rt, 'line three');
    const frames: Array<[number, string]> = [];
    while (frames.length < 3) {
      const data = Buffer.concat(chunks);
      frames.length = 0;
      for (let at = 0; at + 16 <= data.length; ) {
        const length = data.readUInt32BE(at + 4);
        if (at + 16 + length > data.length) break;
        frames.push([data.readUInt32BE(at), data.subarray(at + 16, at + 16 + length).toString('utf8')]);
        at += 16 + length;
      }
      if (frames.length < 3) await once(rt.child.stdio[3] as Readable, 'data');
    }
    assert.deepEqual(frames.map(([type, text]) => [type.toString(16), JSON.parse(text).message]), [
      ['a55a0012', 'careful: low disk'],
      ['a55a0016', 'lookup failed'],
      ['a55a0016', 'first line\nsecond line'],
    ]);
    assert.equal(rt.stdout(), 'hello from print\nline one\nline two\nline three\n');
  });

  it('exits 1 when /next fails', async () => {
    const rt = await startRuntime(fixture('python-echo'), 'index.handler');
    rt.api.nextStatus = 500;
    assert.equal(await rt.exited, 1);
    assert.match(rt.stderr(), /Runtime API unavailable: GET \/invocation\/next returned 500/);
  });
});
