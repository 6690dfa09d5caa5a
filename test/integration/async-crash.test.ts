// Crash safety of the async queue: a burst of Event invocations to a real server process, SIGKILL in the middle,
// a restart on the same data dir, and proof that every event that got a 202 ran. The function reports each event
// id to a collector in this test process over HTTP, so the proof does not depend on the killed server's own
// state. Duplicates (an event run again because the kill cut its delivery short) are allowed and reported.
import { CreateFunctionCommand, LambdaClient, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { TEST_CREDENTIALS, TEST_ROLE } from '../helpers/server.js';
import { type ServerProcess, spawnServer } from '../helpers/server-process.js';
import { makeZip } from '../helpers/zip.js';

const TOTAL = 1500;
const KILL_AFTER = 700;
const SENDERS = 32;
const ASYNC_ENV = { NIMBUS_ASYNC__RETRY_DELAY_SCALE: '0.001', NIMBUS_ASYNC__POLL_INTERVAL_MS: '20', NIMBUS_ASYNC__MAX_CONCURRENT_DELIVERIES: '8' };
const REPORTER = `exports.handler = async (event) => {
  const res = await fetch(event.collector, { method: 'POST', body: String(event.id) });
  if (!res.ok) throw new Error('collector said ' + res.status);
  return 'ok';
};`;

async function postEvent(url: string, id: number, collector: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/2015-03-31/functions/reporter/invocations`, {
      method: 'POST', headers: { 'X-Amz-Invocation-Type': 'Event' }, body: JSON.stringify({ id, collector }),
    });
    await res.arrayBuffer();
    return res.status === 202;
  } catch {
    return false; // the server died under the request: not acknowledged (it may still run: at least once)
  }
}

async function queueState(url: string): Promise<{ queued: number; retrying: number; inFlight: number; dropped: number }> {
  return ((await (await fetch(`${url}/_nimbus/health`)).json()) as { async: { queued: number; retrying: number; inFlight: number; dropped: number } }).async;
}

describe('async queue crash safety', () => {
  it(`every acknowledged event of a ${TOTAL}-event burst runs although the server is SIGKILLed midway`, async (t) => {
    const hits = new Map<number, number>();
    const collector = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = Number(body);
        hits.set(id, (hits.get(id) ?? 0) + 1);
        res.end('ok');
      });
    });
    collector.listen(0, '127.0.0.1');
    await once(collector, 'listening');
    const collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}/`;

    let server: ServerProcess | undefined = await spawnServer({ env: ASYNC_ENV });
    const dataDir = server.dataDir;
    try {
      const lambda = new LambdaClient({ endpoint: server.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
      await lambda.send(new CreateFunctionCommand({
        FunctionName: 'reporter', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Timeout: 10,
        Code: { ZipFile: await makeZip({ 'index.js': REPORTER }) },
      }));
      await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'reporter' });
      lambda.destroy();

      // 1. The burst; the sender whose acknowledgement makes KILL_AFTER kills the server while the other senders'
      // requests are in flight (those fail: not acknowledged, though they may have been stored and run).
      const acked = new Set<number>();
      let next = 0;
      let killed = false;
      const first = server;
      const started = performance.now();
      let acceptSeconds = 0;
      const sender = async (): Promise<void> => {
        while (next < TOTAL && !killed) {
          const id = next++;
          if (await postEvent(first.url, id, collectorUrl)) acked.add(id);
          if (acked.size >= KILL_AFTER && !killed) {
            killed = true;
            acceptSeconds = (performance.now() - started) / 1000;
            first.child.kill('SIGKILL');
          }
        }
      };
      const exited = once(first.child, 'exit');
      await Promise.all(Array.from({ length: SENDERS }, sender));
      await exited;
      const ackedBeforeKill = acked.size;
      const ranBeforeKill = hits.size;
      server = undefined;

      // 2. Restart on the same data dir and send the rest of the burst.
      server = await spawnServer({ dataDir, env: ASYNC_ENV });
      const second = server;
      const sender2 = async (): Promise<void> => {
        while (next < TOTAL) {
          const id = next++;
          if (await postEvent(second.url, id, collectorUrl)) acked.add(id);
        }
      };
      await Promise.all(Array.from({ length: SENDERS }, sender2));

      // 3. Wait until the queue is empty and every acknowledged event has reported (or give up after 3 minutes).
      const until = Date.now() + 180_000;
      const missing = (): number[] => [...acked].filter((id) => !hits.has(id));
      for (;;) {
        const q = await queueState(second.url);
        if ((q.queued + q.retrying + q.inFlight === 0 && missing().length === 0) || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const q = await queueState(second.url);
      const runs = [...hits.values()].reduce((a, b) => a + b, 0);
      const duplicates = runs - hits.size;
      t.diagnostic(`acknowledged ${acked.size}/${TOTAL} (${ackedBeforeKill} before the kill, ${(KILL_AFTER / acceptSeconds).toFixed(0)} acks/s with ${SENDERS} senders; ${next - acked.size} requests cut by the kill); ` +
        `${ranBeforeKill} had run before the kill; ran ${hits.size} distinct events in ${runs} runs (${duplicates} duplicates); ` +
        `${hits.size - [...hits.keys()].filter((id) => acked.has(id)).length} unacknowledged events ran too`);
      assert.deepEqual(missing(), [], 'every acknowledged event ran');
      assert.ok(acked.size >= KILL_AFTER);
      assert.deepEqual({ queued: q.queued, retrying: q.retrying, inFlight: q.inFlight, dropped: q.dropped }, { queued: 0, retrying: 0, inFlight: 0, dropped: 0 }, 'nothing is stuck or dropped');
    } finally {
      if (server !== undefined) {
        server.child.kill('SIGTERM');
        await once(server.child, 'exit');
      }
      collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
