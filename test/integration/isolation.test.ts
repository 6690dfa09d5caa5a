// The sandbox as a function sees it: Lambda's filesystem layout (read-only /var/task, a private /tmp sized by
// EphemeralStorage), nothing else of the host (another function's code and /tmp, the data directory, home
// directories), Lambda's unprivileged user without capabilities, a private PID namespace, and the environment
// variables AWS sets (compared with the recorded AWS introspection). On a host where bubblewrap cannot run,
// the tests check that Nimbus says so instead of claiming the isolation.
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { recordedEnvironment } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

interface Health { protections: { filesystemIsolation: string; user: string } }

const PROBE = `const fs = require('node:fs');
const os = require('node:os');
const attempt = (fn) => { try { return fn() ?? 'ok'; } catch (err) { return err.code; } };
exports.handler = async (e) => {
  if (e.fill) {
    const chunk = Buffer.alloc(16 * 1024 * 1024, 1);
    let written = 0;
    try { for (;;) { fs.appendFileSync('/tmp/fill', chunk); written += 16; } } catch (err) { fs.rmSync('/tmp/fill', { force: true }); return { written, error: err.code }; }
  }
  if (e.mark) fs.writeFileSync('/tmp/' + e.mark, e.mark);
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  return {
    uid: process.getuid(), gid: process.getgid(), user: os.userInfo().username,
    capEff: /CapEff:\\s*(\\S+)/.exec(status)[1],
    cwd: process.cwd(), execPath: process.execPath,
    pids: fs.readdirSync('/proc').filter((n) => /^\\d+$/.test(n)).length,
    tmp: fs.readdirSync('/tmp').sort(),
    writeTask: attempt(() => fs.writeFileSync('/var/task/x', 'x')),
    writeRoot: attempt(() => fs.writeFileSync('/x', 'x')),
    reads: Object.fromEntries((e.paths || []).map((p) => [p, attempt(() => fs.readdirSync(p).length)])),
    signal: e.pid ? attempt(() => process.kill(e.pid, 0)) : undefined,
    env: process.env,
  };
};`;

interface Probe {
  uid: number; gid: number; user: string; capEff: string; cwd: string; execPath: string; pids: number; tmp: string[];
  writeTask: string; writeRoot: string; reads: Record<string, string | number>; signal?: string; env: Record<string, string>;
}

describe('isolation', () => {
  let server: TestServer;
  let isolated: boolean;
  before(async () => {
    server = await startTestServer();
    const health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as Health;
    isolated = health.protections.filesystemIsolation === 'bubblewrap';
    // CI runs as root with bubblewrap installed by setup: there the sandbox must be on. Elsewhere health must
    // say it is off, and the tests below check only what holds without it.
    if (process.getuid?.() === 0 && existsSync('/usr/bin/bwrap')) assert.ok(isolated, 'root with bubblewrap: functions are isolated');
    else assert.equal(health.protections.filesystemIsolation, 'none');
    const zip = await makeZip({ 'index.js': PROBE });
    await deployFixture(server.lambda, 'echo', 'probe-a', { Code: { ZipFile: zip }, MemorySize: 1024, Timeout: 30, Environment: { Variables: { TEST_KEY: 'TEST_VAL' } } });
    await deployFixture(server.lambda, 'echo', 'probe-b', { Code: { ZipFile: await makeZip({ 'index.js': `${PROBE}\n// b` }) } });
  });
  after(async () => {
    await server.stop();
  });

  /** Where Nimbus keeps a function's extracted code on the host. */
  async function hostCodeDir(name: string): Promise<string> {
    const fn = await server.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const hex = Buffer.from(fn.Configuration?.CodeSha256 ?? '', 'base64').toString('hex');
    const dir = join(server.dataDir, 'code', hex);
    assert.ok(existsSync(dir), `${dir} exists on the host`);
    return dir;
  }

  it('runs functions as Lambda\'s unprivileged user, without capabilities, in their own PID namespace', async () => {
    if (!isolated) return;
    const probe = (await invoke(server.lambda, 'probe-a', { pid: process.pid })).payload as Probe;
    assert.deepEqual({ uid: probe.uid, gid: probe.gid, user: probe.user, capEff: probe.capEff }, { uid: 993, gid: 990, user: 'sbx_user1051', capEff: '0000000000000000' });
    assert.ok(probe.pids <= 3, `the function sees only its own processes (${probe.pids} in /proc)`);
    assert.equal(probe.signal, 'ESRCH', 'the server\'s process does not exist for the function');
  });

  it('shows Lambda\'s layout: code read-only at /var/task, the runtime under /var/lang and /var/runtime', async () => {
    if (!isolated) return;
    const probe = (await invoke(server.lambda, 'probe-a')).payload as Probe;
    assert.equal(probe.cwd, '/var/task');
    assert.equal(probe.execPath, '/var/lang/bin/node');
    assert.equal(probe.writeTask, 'EROFS');
    assert.ok(['EROFS', 'EACCES'].includes(probe.writeRoot), `writing / fails (${probe.writeRoot})`);
  });

  it('hides other functions\' code and /tmp, the data directory and home directories', async () => {
    if (!isolated) return;
    await invoke(server.lambda, 'probe-b', { mark: 'secret-of-b' });
    const codeOfB = await hostCodeDir('probe-b');
    const paths = [codeOfB, server.dataDir, '/root', '/home'];
    const probe = (await invoke(server.lambda, 'probe-a', { paths })).payload as Probe;
    assert.deepEqual(probe.reads, Object.fromEntries(paths.map((p) => [p, 'ENOENT'])));
    assert.ok(!probe.tmp.includes('secret-of-b'), 'B\'s /tmp is not A\'s');
    const own = (await invoke(server.lambda, 'probe-a', { paths: ['/var/task', await hostCodeDir('probe-a')] })).payload as Probe;
    assert.deepEqual(own.reads, { '/var/task': 1, [await hostCodeDir('probe-a')]: 'ENOENT' }, 'its own code only at /var/task');
  });

  it('keeps /tmp across warm invocations of one environment', async () => {
    if (!isolated) return;
    await invoke(server.lambda, 'probe-a', { mark: 'kept' });
    const probe = (await invoke(server.lambda, 'probe-a')).payload as Probe;
    assert.ok(probe.tmp.includes('kept'), `/tmp holds ${JSON.stringify(probe.tmp)}`);
  });

  it('sizes /tmp by EphemeralStorage: writing past it fails with ENOSPC', async () => {
    if (!isolated) return;
    const result = (await invoke(server.lambda, 'probe-a', { fill: true })).payload as { written: number; error: string };
    assert.equal(result.error, 'ENOSPC');
    assert.ok(result.written >= 480 && result.written <= 512, `${result.written} MB fit into the 512 MB /tmp`);
  });

  it('gives the runtime exactly the environment variables AWS gives nodejs20.x, and nothing of the host\'s', async () => {
    process.env['NIMBUS_TEST_HOST_ONLY'] = 'must-not-leak';
    try {
      const probe = (await invoke(server.lambda, 'probe-a')).payload as Probe;
      const aws = recordedEnvironment('nodejs20.x');
      assert.deepEqual(Object.keys(probe.env).sort(), Object.keys(aws).sort());
      assert.equal(probe.env['NIMBUS_TEST_HOST_ONLY'], undefined);
      // Values that do not depend on the function, region or request are AWS's own.
      const fixed = Object.keys(aws).filter((k) => !/^<.*>$/.test(aws[k] ?? '') && !aws[k]?.includes('<') && !['AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE'].includes(k));
      const expected = Object.fromEntries(fixed.map((k) => [k, aws[k]]));
      if (!isolated) for (const k of ['LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR', 'PWD', 'LD_LIBRARY_PATH', 'NODE_PATH']) delete expected[k];
      assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, probe.env[k]])), expected);
      assert.equal(probe.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '1024');
    } finally {
      delete process.env['NIMBUS_TEST_HOST_ONLY'];
    }
  });
});

const NET_PROBE = `const net = require('node:net');
const connect = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port, timeout: 2000 });
  s.once('connect', () => { s.destroy(); resolve('connected'); });
  s.once('timeout', () => { s.destroy(); resolve('timeout'); });
  s.once('error', (err) => resolve(err.code));
});
exports.handler = async (e) => ({ loopback: await connect('127.0.0.1', e.port), outside: await connect('192.0.2.1', 80), api: process.env.AWS_LAMBDA_RUNTIME_API });`;

describe('network', () => {
  it('shares the host network by default: the function reaches the host\'s loopback', async () => {
    const server = await startTestServer();
    try {
      await deployFixture(server.lambda, 'echo', 'net-host', { Code: { ZipFile: await makeZip({ 'index.js': NET_PROBE }) } });
      const result = (await invoke(server.lambda, 'net-host', { port: server.port })).payload as { loopback: string };
      assert.equal(result.loopback, 'connected');
    } finally {
      await server.stop();
    }
  });

  it('with engine.network=none gives each environment no network, and its Runtime API still works', async () => {
    const available = process.getuid?.() === 0 && existsSync('/usr/bin/bwrap') && existsSync('/usr/bin/socat');
    if (!available) {
      // Without what a private network needs, Nimbus refuses to start rather than run functions with a network.
      await assert.rejects(startTestServer({ engine: { network: 'none' } }), /network "none" was asked for/);
      return;
    }
    const server = await startTestServer({ engine: { network: 'none' } });
    try {
      const health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as { protections: { network: string } };
      assert.equal(health.protections.network, 'none');
      await deployFixture(server.lambda, 'echo', 'net-none', { Code: { ZipFile: await makeZip({ 'index.js': NET_PROBE }) } });
      const first = await invoke(server.lambda, 'net-none', { port: server.port });
      assert.equal(first.functionError, undefined, first.payloadText);
      assert.deepEqual(first.payload, { loopback: 'ECONNREFUSED', outside: 'ENETUNREACH', api: '127.0.0.1:9001' });
      const warm = await invoke(server.lambda, 'net-none', { port: server.port });
      assert.doesNotMatch(warm.log, /Init Duration/, 'warm invocations go through the same relay');
    } finally {
      await server.stop();
    }
  });

  it('refuses network=none together with isolation=none', async () => {
    await assert.rejects(startTestServer({ engine: { network: 'none', isolation: 'none' } }), /network "none" was asked for, but isolation is "none"/);
  });
});
