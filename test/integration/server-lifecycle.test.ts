// The server as a process: state survives a restart, shutdown lets in-flight invocations finish and leaves no
// environment behind, and a killed server leaves no runtime process running.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteFunctionCommand, GetFunctionCommand, LambdaClient, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { describe, it } from 'node:test';
import { deployFixture, fixtureZip } from '../helpers/functions.js';
import { environmentProcesses, eventually, invoke } from '../helpers/invoke.js';
import { startTestServer, TEST_CREDENTIALS } from '../helpers/server.js';
import { spawnServer } from '../helpers/server-process.js';
import { makeZip } from '../helpers/zip.js';

const SLOW = `exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms || 0)); return { env: process.env.AWS_LAMBDA_LOG_STREAM_NAME }; };`;
type Identified = { env: string };
const running = (env: string): boolean => environmentProcesses(env).length > 0;

describe('server lifecycle', () => {
  it('keeps functions across a restart: a function deployed before is invocable after', async () => {
    const first = await startTestServer();
    await deployFixture(first.lambda, 'counter', 'survivor');
    assert.deepEqual((await invoke(first.lambda, 'survivor')).payload, { count: 1 });
    const sha = (await first.lambda.send(new GetFunctionCommand({ FunctionName: 'survivor' }))).Configuration?.CodeSha256;
    await first.stop({ keepData: true });

    const second = await startTestServer({}, first.dataDir);
    try {
      assert.ok(existsSync(join(first.dataDir, 'blobs', `${Buffer.from(sha ?? '', 'base64').toString('hex')}.zip`)), 'the package in use is kept');
      const after = await second.lambda.send(new GetFunctionCommand({ FunctionName: 'survivor' }));
      assert.equal(after.Configuration?.CodeSha256, sha);
      assert.equal(after.Configuration?.State, 'Active');
      assert.deepEqual((await invoke(second.lambda, 'survivor')).payload, { count: 1 });
    } finally {
      await second.stop();
    }
  });

  it('collects packages no function uses any more at the next start', async () => {
    const first = await startTestServer();
    await deployFixture(first.lambda, 'echo', 'replaced');
    await first.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'replaced', ZipFile: await fixtureZip('counter') }));
    await deployFixture(first.lambda, 'throw', 'deleted');
    await first.lambda.send(new DeleteFunctionCommand({ FunctionName: 'deleted' }));
    assert.equal(readdirSync(join(first.dataDir, 'blobs')).length, 3);
    await first.stop({ keepData: true });
    const second = await startTestServer({}, first.dataDir);
    try {
      const current = (await second.lambda.send(new GetFunctionCommand({ FunctionName: 'replaced' }))).Configuration?.CodeSha256 ?? '';
      assert.deepEqual(readdirSync(join(first.dataDir, 'blobs')), [`${Buffer.from(current, 'base64').toString('hex')}.zip`]);
      assert.deepEqual((await invoke(second.lambda, 'replaced')).payload, { count: 1 });
    } finally {
      await second.stop();
    }
  });

  it('refuses a second server on a data directory in use', async () => {
    const first = await startTestServer();
    try {
      await assert.rejects(startTestServer({}, first.dataDir), /is in use by another Nimbus server \(pid \d+\)/);
    } finally {
      await first.stop();
    }
  });

  it('stops an idle environment after the configured keep-alive', async () => {
    const server = await startTestServer({ engine: { keepAliveMs: 300 } });
    try {
      await deployFixture(server.lambda, 'echo', 'brief', { Code: { ZipFile: await makeZip({ 'index.js': SLOW }) } });
      const { env } = (await invoke(server.lambda, 'brief')).payload as Identified;
      assert.ok(running(env));
      assert.ok(await eventually(() => !running(env), 5000), 'expired after keep-alive');
      const next = await invoke(server.lambda, 'brief');
      assert.match(next.log, /Init Duration/, 'the next invocation is a cold start');
    } finally {
      await server.stop();
    }
  });

  it('lets an in-flight invocation finish on shutdown, then stops every environment', async () => {
    const server = await startTestServer();
    await deployFixture(server.lambda, 'echo', 'slow', { Code: { ZipFile: await makeZip({ 'index.js': SLOW }) } });
    const idle = (await invoke(server.lambda, 'slow')).payload as Identified;
    const inFlight = invoke(server.lambda, 'slow', { ms: 400 });
    await new Promise((r) => setTimeout(r, 100));
    await server.stop();
    const result = await inFlight;
    assert.equal(result.functionError, undefined);
    const busy = (result.payload as Identified).env;
    assert.ok(!running(idle.env), 'idle environment stopped');
    assert.ok(await eventually(() => !running(busy)), 'busy environment stopped after it finished');
  });

  it('shuts down cleanly on SIGTERM: exit 0 and no runtime process left', async () => {
    const { child, url, dataDir } = await spawnServer();
    try {
      const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      await deployFixture(lambda, 'echo', 'graceful', { Code: { ZipFile: await makeZip({ 'index.js': SLOW }) } });
      const { env } = (await invoke(lambda, 'graceful')).payload as Identified;
      lambda.destroy();
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.ok(!running(env), 'environment stopped before the server exited');
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('leaves no runtime process behind when the server is killed with SIGKILL', async () => {
    const { child, url, dataDir } = await spawnServer();
    try {
      const lambda = new LambdaClient({ endpoint: url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      await deployFixture(lambda, 'echo', 'orphan', { Code: { ZipFile: await makeZip({ 'index.js': SLOW }) } });
      const { env } = (await invoke(lambda, 'orphan')).payload as Identified;
      lambda.destroy();
      const { cgroups } = (await (await fetch(`${url}/_nimbus/health`)).json()) as { cgroups: Record<string, string> };
      assert.ok(running(env));
      child.kill('SIGKILL');
      assert.ok(await eventually(() => !running(env), 5000), `environment ${env} exited once its server was gone`);
      for (const dir of Object.values(cgroups)) assert.ok(await eventually(() => !existsSync(dir), 5000), `${dir} was removed`);
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
