// Resource limits as Lambda enforces them, checked from outside the function where possible: the memory limit
// (AWS's out-of-memory error, Max Memory Used at the limit, a clean next start), the CPU share, the process
// limit against fork bombs, and freezing between invocations. On a host without the cgroup controllers these
// tests check that Nimbus says so instead of claiming the limit.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

interface Protections { memoryLimit: string; cpuLimit: string; pidsLimit: string; freeze: string }
interface Health { protections: Protections; cgroups: Record<string, string> }

const HOG = `const { execFileSync } = require('node:child_process');
exports.handler = async (e) => {
  if (e.hog) { const keep = []; for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); return keep.length; }
  // A child holding memory for a moment: it counts towards the environment, and is gone when it exits.
  if (e.childMb) execFileSync(process.execPath, ['-e', 'const b = Buffer.alloc(' + e.childMb + ' * 1048576, 1); setTimeout(() => b, 200);']);
  return { ok: true, stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME };
};`;

const FORK_BOMB = `const { spawn } = require('node:child_process');
exports.handler = async () => {
  let spawned = 0; let error = null;
  for (let i = 0; i < 1500 && !error; i++) {
    await new Promise((resolve) => {
      const c = spawn('sleep', ['30'], { stdio: 'ignore' });
      c.once('spawn', () => { spawned += 1; resolve(); });
      c.once('error', (err) => { error = err.code; resolve(); });
    });
  }
  return { spawned, error };
};`;

const TICKER = `let ticks = 0; setInterval(() => { ticks += 1; }, 10);
exports.handler = async () => ticks;`;

describe('resource limits', () => {
  let server: TestServer;
  let protections: Protections;
  let cgroups: Record<string, string>;
  before(async () => {
    server = await startTestServer();
    ({ protections, cgroups } = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as Health);
  });
  after(async () => {
    await server.stop();
  });

  it('holds a function to its MemorySize: out of memory is Runtime.OutOfMemory and the next start is clean', async () => {
    await deployFixture(server.lambda, 'echo', 'hog', { MemorySize: 128, Timeout: 20, Code: { ZipFile: await makeZip({ 'index.js': HOG }) } });
    const result = await invoke(server.lambda, 'hog', { hog: true });
    if (protections.memoryLimit === 'none') {
      assert.equal(result.functionError, undefined, 'without a memory cgroup the allocation succeeds, and health says memoryLimit: none');
      return;
    }
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.equal(result.functionError, 'Unhandled');
    assert.deepEqual(result.payload, { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` });
    assert.match(result.log, /\tMemory Size: 128 MB\tMax Memory Used: 128 MB\t.*Status: error\tError Type: Runtime.OutOfMemory\n$/);
    const next = await invoke(server.lambda, 'hog');
    assert.equal(next.functionError, undefined);
    assert.match(next.log, /Init Duration/, 'a fresh environment');
  });

  it('reports running out of memory during init as Runtime.OutOfMemory, naming the request', async (t) => {
    if (protections.memoryLimit === 'none') return t.diagnostic('no memory cgroup on this host');
    const initHog = 'const keep = []; for (let i = 0; i < 64; i++) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));\nexports.handler = async () => keep.length;';
    await deployFixture(server.lambda, 'echo', 'inithog', { MemorySize: 128, Code: { ZipFile: await makeZip({ 'index.js': initHog }) } });
    const result = await invoke(server.lambda, 'inithog');
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.deepEqual(result.payload, { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` });
  });

  it('reports the real per-invocation peak as Max Memory Used, child processes included', async (t) => {
    if (protections.memoryLimit === 'none') return t.diagnostic('no memory cgroup: Max Memory Used is the runtime process peak only');
    await deployFixture(server.lambda, 'echo', 'holder', { MemorySize: 1024, Code: { ZipFile: await makeZip({ 'index.js': HOG }) } });
    await invoke(server.lambda, 'holder');
    const big = await invoke(server.lambda, 'holder', { childMb: 200 });
    const small = await invoke(server.lambda, 'holder');
    const used = (log: string) => Number(/Max Memory Used: (\d+) MB/.exec(log)?.[1]);
    assert.ok(used(big.log) >= 200, `peak ${used(big.log)} MB covers the child's 200 MB`);
    assert.ok(used(small.log) < 150, `the next invocation reports its own peak (${used(small.log)} MB), not the earlier one`);
  });

  it('gives an environment CPU in proportion to its memory once init is over', async (t) => {
    if (protections.cpuLimit === 'none') return t.diagnostic('no cpu cgroup on this host: health says cpuLimit none');
    await deployFixture(server.lambda, 'echo', 'cpu', { MemorySize: 128, Code: { ZipFile: await makeZip({ 'index.js': HOG }) } });
    const stream = ((await invoke(server.lambda, 'cpu')).payload as { stream: string }).stream;
    const envId = /\]([0-9a-f]{32})$/.exec(stream)?.[1] ?? '';
    const quotaFile = `${cgroups['cpu']}/${envId}/cpu.cfs_quota_us`;
    assert.ok(existsSync(quotaFile), quotaFile);
    assert.equal(readFileSync(quotaFile, 'utf8').trim(), String(Math.round((100_000 * 128) / 1769)), '128/1769 of a vCPU');
  });

  it('contains a fork bomb at 1,024 processes', async () => {
    // 2 GB: enough memory and CPU that the process limit, not the memory limit, is what stops it.
    await deployFixture(server.lambda, 'echo', 'forker', { MemorySize: 2048, Timeout: 60, Code: { ZipFile: await makeZip({ 'index.js': FORK_BOMB }) } });
    const result = await invoke(server.lambda, 'forker');
    const { spawned, error } = result.payload as { spawned: number; error: string | null };
    if (protections.pidsLimit === 'none') return;
    assert.equal(error, 'EAGAIN');
    assert.ok(spawned < 1024, `stopped at ${spawned} processes`);
    const health = await fetch(`${server.url}/_nimbus/health`);
    assert.equal(health.status, 200, 'the host and server are unaffected');
  });

  it('freezes an idle environment: its timers do not run between invocations', async () => {
    await deployFixture(server.lambda, 'echo', 'ticker', { Code: { ZipFile: await makeZip({ 'index.js': TICKER }) } });
    const first = (await invoke(server.lambda, 'ticker')).payload as number;
    await new Promise((r) => setTimeout(r, 600));
    const second = (await invoke(server.lambda, 'ticker')).payload as number;
    if (protections.freeze === 'none') return;
    // Unfrozen, a 10 ms interval would tick about 60 times in 600 ms.
    assert.ok(second - first < 15, `ticked ${second - first} times while idle`);
  });
});
