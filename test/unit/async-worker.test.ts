// The async worker against a real SQLite queue, a fake invoker and a fake clock: throttled (platform-error)
// deliveries are retried, not dropped, until the event is older than MaximumEventAgeInSeconds, which ends in an
// EventAgeExceeded record OnFailure; an event claimed by a crashed process is delivered after restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../../src/observe/index.js';
import type { InvocationRecord } from '../../src/model/index.js';
import { AsyncEventQueue, AsyncWorker, Destinations, type DestinationTarget, type InvokeRequest, type InvokeResult } from '../../src/services/index.js';
import { openDatabase, SqliteAsyncEventStore } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nimbus-async-worker-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { accountId: '000000000000', region: 'us-east-1', requestId: '' };
const target = { functionName: 'f', qualifier: '$LATEST' };

function setup(file: string, invoke: (req: InvokeRequest) => InvokeResult, reserved?: number) {
  const db = openDatabase(join(dir, file));
  // The event invoke config's function must exist for the foreign key.
  db.prepare(`INSERT INTO functions (account_id, region, name, code_sha, record) VALUES ('000000000000', 'us-east-1', 'f', 'x', '{}')`).run();
  let now = 1_000_000;
  const clock = { now: () => now, monotonic: () => now };
  const queue = new AsyncEventQueue(new SqliteAsyncEventStore(db), clock);
  const records: InvocationRecord[] = [];
  const sink: DestinationTarget = { service: 'lambda', validate: () => undefined, deliver: (_c, _a, r) => void records.push(r) };
  let calls = 0;
  const invoker = {
    invoke: async (_ctx: unknown, req: InvokeRequest) => { calls += 1; now += 10_000; return invoke(req); },
    asyncSettings: () => (reserved === undefined ? {} : { reservedConcurrency: reserved }),
  };
  const worker = new AsyncWorker(queue, invoker, new Destinations([sink]), clock, { maxConcurrent: 4, retryDelayScale: 0, pollIntervalMs: 1, droppedRetentionMs: 86_400_000 }, createLogger('silent'));
  return { db, queue, worker, records, calls: () => calls, advance: (ms: number) => void (now += ms), now: () => now };
}

const settledWhen = async (check: () => boolean): Promise<boolean> => {
  for (let i = 0; i < 2000 && !check(); i += 1) await new Promise((r) => setTimeout(r, 1));
  return check();
};

const throttled: InvokeResult = { kind: 'outcome', outcome: { kind: 'platform-error', requestId: 'x', executedVersion: '$LATEST', logLines: [], errorType: 'TooManyRequestsException', message: 'Rate Exceeded.', status: 429 } };

describe('async worker', () => {
  it('retries throttled deliveries until MaximumEventAgeInSeconds, then sends EventAgeExceeded OnFailure', async () => {
    const t = setup('age.db', () => throttled);
    t.queue.store.putConfig({ ...ctx, ...target }, { maximumEventAgeSec: 60, onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:d', lastModified: 0 });
    t.queue.accept({ ...ctx, requestId: 'ev-1' }, target, Buffer.from('{"a":1}'));
    assert.equal(t.queue.stats().oldestEventAgeSec, 0);
    t.worker.start();
    assert.ok(await settledWhen(() => t.records.length === 1));
    await t.worker.stop();
    assert.ok(t.calls() >= 5, `throttled deliveries were retried (${t.calls()} attempts)`);
    const r = t.records[0];
    assert.equal(r?.requestContext.condition, 'EventAgeExceeded');
    assert.equal(r?.requestContext.approximateInvokeCount, 0, 'throttles never reached the function');
    assert.deepEqual(r?.requestPayload, { a: 1 });
    assert.deepEqual(t.queue.stats().droppedReasons, { EventAgeExceeded: 1 });
    t.advance(86_400_000);
    assert.equal(t.queue.store.pruneDropped(t.now() - 86_400_001), 0, 'kept for the retention period');
    assert.equal(t.queue.store.pruneDropped(t.now() - 86_400_000 + 1), 1, 'deleted after it');
    t.db.close();
  });

  it('delivers an event whose claim a crashed process left behind (lease voided at start)', async () => {
    const t = setup('lease.db', () => ({ kind: 'outcome', outcome: { kind: 'ok', requestId: 'x', executedVersion: '$LATEST', logLines: [], payload: Buffer.from('null'), contentType: 'application/json' } }));
    t.queue.accept({ ...ctx, requestId: 'ev-2' }, target, Buffer.from('{}'));
    t.advance(42_000);
    assert.equal(t.queue.stats().oldestEventAgeSec, 42, 'the age of the oldest pending event is visible');
    assert.equal(t.queue.store.claim(2_000_000, 9_000_000_000, 10).length, 1, 'a previous process claimed it');
    assert.equal(t.queue.store.claim(2_000_000, 9_000_000_000, 10).length, 0, 'a live claim is not handed out twice');
    t.worker.start();
    assert.ok(await settledWhen(() => t.queue.stats().delivered === 1));
    await t.worker.stop();
    assert.equal(t.calls(), 1);
    assert.equal(t.queue.stats().queued + t.queue.stats().inFlight + t.queue.stats().retrying, 0);
    t.db.close();
  });
});
