// Host capacity: execution environments hold their MemorySize against a host memory budget. A new one that does not
// fit stops idle environments of any function first, then waits a bounded time, then is refused with AWS's 429 —
// never an overcommitted host, never a hung request. Past the busy environments the host's cores usefully run, a new
// one waits briefly for a busy one of its version first.
import { CreateFunctionCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { describe, it } from 'node:test';
import { invoke, type InvokeResult } from '../helpers/invoke.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

const SLEEPER = 'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return { ok: true }; };\n';
const uid = (): string => randomBytes(4).toString('hex');

async function deploy(server: TestServer, name: string): Promise<void> {
  await server.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, MemorySize: 128, Code: { ZipFile: await makeZip({ 'index.js': SLEEPER }) },
  }));
  await waitUntilFunctionActiveV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
}

/** Status, body and headers of a raw Invoke. */
async function rawInvoke(server: TestServer, name: string, event: unknown): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${server.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: JSON.stringify(event) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

async function health(server: TestServer): Promise<{ idle: number; busy: number; memoryCommittedMb: number; memoryBudgetMb: number }> {
  const res = await fetch(`${server.url}/_nimbus/health`);
  return ((await res.json()) as { environments: { idle: number; busy: number; memoryCommittedMb: number; memoryBudgetMb: number } }).environments;
}

describe('host memory budget', () => {
  it('refuses what does not fit after a bounded wait, with AWS\'s 429', async () => {
    const server = await startTestServer({ engine: { memoryBudgetMb: 300, admissionWaitMs: 200 } });
    try {
      const name = `cap-${uid()}`;
      await deploy(server, name);
      const results = await Promise.all([0, 1, 2].map(() => rawInvoke(server, name, { ms: 1500 })));
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 200, 429], 'two 128 MB environments fit in 300 MB, the third does not');
      const refused = results.find((r) => r.status === 429);
      assert.deepEqual(refused?.body, { Type: 'User', message: 'Rate Exceeded.', Reason: 'ConcurrentInvocationLimitExceeded' });
      assert.equal(refused?.retryAfter, '1');
      const h = await health(server);
      assert.equal(h.memoryBudgetMb, 300);
      assert.ok(h.memoryCommittedMb <= 300, `committed ${h.memoryCommittedMb} MB`);
    } finally {
      await server.stop();
    }
  });

  it('queues briefly: an invocation waiting for memory takes the environment the next one frees', async () => {
    const server = await startTestServer({ engine: { memoryBudgetMb: 300, admissionWaitMs: 20_000 } });
    try {
      const name = `cap-${uid()}`;
      await deploy(server, name);
      const results = await Promise.all([0, 1, 2, 3].map(() => invoke(server.lambda, name, { ms: 300 })));
      assert.deepEqual(results.map((r) => r.statusCode), [200, 200, 200, 200]);
      const h = await health(server);
      assert.equal(h.idle, 2, 'never more than two environments');
      assert.equal(h.memoryCommittedMb, 256);
    } finally {
      await server.stop();
    }
  });

  it('stops the least recently used idle environment of another function to make room', async () => {
    const server = await startTestServer({ engine: { memoryBudgetMb: 300, admissionWaitMs: 0 } });
    try {
      const [a, b, c] = [`cap-a-${uid()}`, `cap-b-${uid()}`, `cap-c-${uid()}`];
      for (const n of [a, b, c]) await deploy(server, n);
      await invoke(server.lambda, a, {});
      await invoke(server.lambda, b, {});
      assert.equal((await health(server)).memoryCommittedMb, 256);
      const third = await invoke(server.lambda, c, {});
      assert.equal(third.statusCode, 200);
      assert.match(third.log, /Init Duration/, 'c cold-started');
      const h = await health(server);
      assert.equal(h.idle, 2);
      assert.equal(h.memoryCommittedMb, 256, 'a was stopped for c');
      // b is still warm (it was used after a); a cold-starts again.
      assert.doesNotMatch((await invoke(server.lambda, b, {})).log, /Init Duration/);
      assert.match((await invoke(server.lambda, a, {})).log, /Init Duration/);
    } finally {
      await server.stop();
    }
  });

  it('an invocation waiting for memory spends no scaling-rate token until it starts an environment', async () => {
    const server = await startTestServer({ engine: { memoryBudgetMb: 300, admissionWaitMs: 5000, scaleUpPer10s: 3 } });
    try {
      const name = `wait-rate-${uid()}`;
      await deploy(server, name);
      const results = await Promise.all([0, 1, 2, 3, 4, 5].map(() => rawInvoke(server, name, { ms: 300 })));
      assert.deepEqual(results.map((r) => r.status), [200, 200, 200, 200, 200, 200], 'four waited for the two environments that fit, and took them');
    } finally {
      await server.stop();
    }
  });

  it('throttles a function scaling faster than engine.scaleUpPer10s; warm environments are reused freely', async () => {
    const server = await startTestServer({ engine: { scaleUpPer10s: 2 } });
    try {
      const name = `scale-${uid()}`;
      await deploy(server, name);
      const burst = await Promise.all([0, 1, 2].map(() => rawInvoke(server, name, { ms: 500 })));
      assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 429], 'two new environments, the third is over the rate');
      assert.equal(burst.find((r) => r.status === 429)?.body['Reason'], 'ConcurrentInvocationLimitExceeded');
      const again = await Promise.all([0, 1].map(() => rawInvoke(server, name, { ms: 0 })));
      assert.deepEqual(again.map((r) => r.status), [200, 200], 'the two warm environments need no new ones');
    } finally {
      await server.stop();
    }
  });
});

describe('host cores', () => {
  const STREAM = 'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return process.env.AWS_LAMBDA_LOG_STREAM_NAME; };\n';
  const cores = availableParallelism();

  /** `cores` invocations busy for 400 ms, and one more arriving 100 ms later: which environments served them. */
  async function oneMoreThanCores(overrides: Parameters<typeof startTestServer>[0]): Promise<{ first: string[]; late: InvokeResult }> {
    const server = await startTestServer(overrides);
    try {
      const name = `cores-${uid()}`;
      await server.lambda.send(new CreateFunctionCommand({
        FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, MemorySize: 128, Code: { ZipFile: await makeZip({ 'index.js': STREAM }) },
      }));
      await waitUntilFunctionActiveV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
      const busy = Array.from({ length: cores }, () => invoke(server.lambda, name, { ms: 400 }));
      await new Promise((r) => setTimeout(r, 100));
      const late = await invoke(server.lambda, name, { ms: 0 });
      return { first: (await Promise.all(busy)).map((r) => r.payload as string), late };
    } finally {
      await server.stop();
    }
  }

  it('once every core has a busy environment, an invocation waits for one of them rather than starting another', async () => {
    const { first, late } = await oneMoreThanCores({ engine: { busyPerCore: 1, scaleOutWaitMs: 5000 } });
    assert.equal(new Set(first).size, cores, 'the first invocations ran side by side, each in its own environment');
    assert.ok(first.includes(late.payload as string), 'the late one was served by an environment that had finished');
    assert.doesNotMatch(late.log, /Init Duration/);
  });

  it('with engine.busyPerCore 0, it starts a new environment at once', async () => {
    const { first, late } = await oneMoreThanCores({ engine: { busyPerCore: 0 } });
    assert.ok(!first.includes(late.payload as string));
    assert.match(late.log, /Init Duration/);
  });
});
