// Custom runtimes (provided.al2023, provided.al2): the package's own `bootstrap` is the runtime. Here it is a
// program compiled from C (plain sockets), and a shell script speaking the Runtime API with curl, as in AWS's tutorial, run in the same sandbox as managed
// runtimes, with the environment AWS gives custom runtimes (no AWS_EXECUTION_ENV, no NODE_PATH).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deployFixture, fixtureDir } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { recordedEnvironment } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

interface ShellResult { event: unknown; env: string[]; uid: number; cwd: string }

describe('custom runtimes', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  it('runs a compiled bootstrap (C, plain sockets): responses, function errors with their type, warm reuse', async () => {
    const work = mkdtempSync(join(tmpdir(), 'nimbus-c-runtime-'));
    try {
      // Compiled here, as a user compiles a custom runtime; the sandbox has the host's /usr (and so its libc).
      await promisify(execFile)('cc', ['-O2', '-o', join(work, 'bootstrap'), join(fixtureDir('provided-c'), 'bootstrap.c')]);
      const zip = await makeZip({ bootstrap: { content: readFileSync(join(work, 'bootstrap')), mode: 0o755 } });
      await deployFixture(server.lambda, 'provided-c', 'compiled', { Runtime: 'provided.al2023', Handler: 'function.handler', Code: { ZipFile: zip } });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const first = await invoke(server.lambda, 'compiled', { hello: 'c' });
    assert.equal(first.functionError, undefined, first.payloadText);
    assert.deepEqual(first.payload, { runtime: 'c', function: 'compiled', event: { hello: 'c' } });
    assert.match(first.log, /Init Duration/);
    const failed = await invoke(server.lambda, 'compiled', { fail: true });
    assert.equal(failed.functionError, 'Unhandled');
    assert.deepEqual(failed.payload, { errorMessage: 'asked to fail', errorType: 'CError' });
    const again = await invoke(server.lambda, 'compiled', { n: 3 });
    assert.deepEqual(again.payload, { runtime: 'c', function: 'compiled', event: { n: 3 } });
    assert.doesNotMatch(again.log, /Init Duration/, 'the same process took the next events');
  });

  it('runs a shell bootstrap with curl: events in, responses out, warm across invocations', async () => {
    await deployFixture(server.lambda, 'provided-shell', 'shell', { Runtime: 'provided.al2023', Handler: 'function.handler', Environment: { Variables: { TEST_KEY: 'TEST_VAL' } } });
    const first = await invoke(server.lambda, 'shell', { hello: 'world' });
    assert.equal(first.functionError, undefined, first.payloadText);
    const result = first.payload as ShellResult;
    assert.deepEqual(result.event, { hello: 'world' });
    assert.match(first.log, /log line from the shell handler\n/);
    const second = await invoke(server.lambda, 'shell', { n: 2 });
    assert.deepEqual((second.payload as ShellResult).event, { n: 2 });
    assert.doesNotMatch(second.log, /Init Duration/, 'the second invocation was warm');

    // The variables AWS sets for provided.al2023, and none that only managed runtimes get.
    const aws = recordedEnvironment('provided.al2023');
    const missing = Object.keys(aws).filter((k) => !result.env.includes(k) && k !== '_X_AMZN_TRACE_ID');
    assert.deepEqual(missing, [], 'custom runtimes set _X_AMZN_TRACE_ID themselves; every other AWS variable is there');
    for (const managedOnly of ['AWS_EXECUTION_ENV', 'NODE_PATH', 'SHLVL']) assert.ok(!result.env.includes(managedOnly), managedOnly);
  });

  it('reports a handler failure posted to /error as the runtime\'s error', async () => {
    const failed = await invoke(server.lambda, 'shell', 'please fail');
    assert.equal(failed.functionError, 'Unhandled');
    assert.deepEqual(failed.payload, { errorMessage: 'handler failed', errorType: 'ShellError' });
  });

  it('refuses to start without an executable bootstrap, with AWS\'s error', async () => {
    await deployFixture(server.lambda, 'provided-shell', 'nobootstrap', {
      Runtime: 'provided.al2', Handler: 'function.handler', Code: { ZipFile: await makeZip({ 'function.sh': 'handler() { echo 1; }\n' }) },
    });
    const result = await invoke(server.lambda, 'nobootstrap');
    assert.equal(result.functionError, 'Unhandled');
    const { errorType, errorMessage } = result.payload as { errorType: string; errorMessage: string };
    assert.equal(errorType, 'Runtime.InvalidEntrypoint');
    assert.match(errorMessage, /^Couldn't find valid bootstrap\(s\): \[\S*\/bootstrap \/opt\/bootstrap\]$/);
  });
});
