// Unit tests for observe/function-logs.ts (FunctionLogStore) on a temp SQLite file: buffered appends, queries by
// region + group with stream / id / text / time filters, stream and group summaries, retention on open, and
// flushing on close. Ingestion time is controlled by stubbing Date.now; nothing waits on the flush timer.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { FunctionLogStore, type LogEventInput } from '../../src/observe/function-logs.js';

const DAY = 24 * 60 * 60 * 1000;
const REGION = 'us-east-1';
const GROUP = '/aws/lambda/echo';
const S1 = '2024/05/01/[$LATEST]11111111111111111111111111111111';
const S2 = '2024/05/01/[$LATEST]22222222222222222222222222222222';

let dir: string;
let file: string;
let open: FunctionLogStore[];

function store(retentionMs = 7 * DAY): FunctionLogStore {
  const s = new FunctionLogStore(file, retentionMs);
  open.push(s);
  return s;
}

function closeAll(): void {
  for (const s of open.splice(0)) {
    try {
      s.close();
    } catch {
      // already closed by the test
    }
  }
}

const events = (...pairs: Array<[number, string]>): LogEventInput[] => pairs.map(([timestamp, message]) => ({ timestamp, message }));

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-logs-'));
  file = path.join(dir, 'nested', 'logs.db');
  open = [];
});

afterEach(() => {
  closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('FunctionLogStore', () => {
  it('creates the parent directory and returns appended events in order with their attributes', (t) => {
    t.mock.method(Date, 'now', () => 5_000);
    const s = store();
    s.append(REGION, GROUP, S1, events([100, 'START RequestId: r1 Version: $LATEST\n'], [101, 'hello\n']));
    const got = s.query({ region: REGION, logGroup: GROUP, limit: 10 });
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map(({ region, logGroup, logStream, timestamp, ingestionTime, message }) => ({ region, logGroup, logStream, timestamp, ingestionTime, message })),
      [
        { region: REGION, logGroup: GROUP, logStream: S1, timestamp: 100, ingestionTime: 5_000, message: 'START RequestId: r1 Version: $LATEST\n' },
        { region: REGION, logGroup: GROUP, logStream: S1, timestamp: 101, ingestionTime: 5_000, message: 'hello\n' },
      ],
    );
    assert.ok(got[0]!.id < got[1]!.id);
  });

  it('query flushes pending appends itself', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'a']));
    assert.equal(s.query({ region: REGION, logGroup: GROUP, limit: 10 }).length, 1);
  });

  it('keeps regions and groups apart', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'mine']));
    s.append('eu-west-1', GROUP, S1, events([1, 'other region']));
    s.append(REGION, '/aws/lambda/other', S1, events([1, 'other group']));
    assert.deepEqual(s.query({ region: REGION, logGroup: GROUP, limit: 10 }).map((e) => e.message), ['mine']);
    assert.deepEqual(s.query({ region: 'eu-west-1', logGroup: GROUP, limit: 10 }).map((e) => e.message), ['other region']);
    assert.deepEqual(s.query({ region: REGION, logGroup: '/aws/lambda/none', limit: 10 }), []);
  });

  it('filters by log streams (an empty list means all)', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'one']));
    s.append(REGION, GROUP, S2, events([2, 'two']));
    s.append(REGION, GROUP, 'third', events([3, 'three']));
    const q = { region: REGION, logGroup: GROUP, limit: 10 };
    assert.deepEqual(s.query({ ...q, logStreams: [S2] }).map((e) => e.message), ['two']);
    assert.deepEqual(s.query({ ...q, logStreams: [S1, 'third'] }).map((e) => e.message), ['one', 'three']);
    assert.deepEqual(s.query({ ...q, logStreams: [] }).map((e) => e.message), ['one', 'two', 'three']);
    assert.deepEqual(s.query({ ...q, logStreams: ['missing'] }), []);
  });

  it('pages by id with afterId and limit', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events(...Array.from({ length: 7 }, (_, i): [number, string] => [i, `m${i}`])));
    const q = { region: REGION, logGroup: GROUP, limit: 3 };
    const page1 = s.query(q);
    assert.deepEqual(page1.map((e) => e.message), ['m0', 'm1', 'm2']);
    const page2 = s.query({ ...q, afterId: page1.at(-1)!.id });
    assert.deepEqual(page2.map((e) => e.message), ['m3', 'm4', 'm5']);
    const page3 = s.query({ ...q, afterId: page2.at(-1)!.id });
    assert.deepEqual(page3.map((e) => e.message), ['m6']);
    assert.deepEqual(s.query({ ...q, afterId: page3.at(-1)!.id }), []);
  });

  it('afterId follows new events appended later (--follow)', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'first']));
    const [first] = s.query({ region: REGION, logGroup: GROUP, limit: 10 });
    s.append(REGION, GROUP, S1, events([2, 'second']));
    assert.deepEqual(s.query({ region: REGION, logGroup: GROUP, afterId: first!.id, limit: 10 }).map((e) => e.message), ['second']);
  });

  it('contains is a case-sensitive substring filter; empty means none', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'ERROR boom'], [2, 'info ok'], [3, 'error lower'], [4, '100% done']));
    const q = { region: REGION, logGroup: GROUP, limit: 10 };
    assert.deepEqual(s.query({ ...q, contains: 'ERROR' }).map((e) => e.message), ['ERROR boom']);
    assert.deepEqual(s.query({ ...q, contains: 'o' }).length, 4);
    // No LIKE wildcards: '%' and '_' are literal.
    assert.deepEqual(s.query({ ...q, contains: '%' }).map((e) => e.message), ['100% done']);
    assert.deepEqual(s.query({ ...q, contains: '_' }), []);
    assert.equal(s.query({ ...q, contains: '' }).length, 4);
  });

  it('startTime and endTime are inclusive bounds on the event timestamp', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([10, 'a'], [20, 'b'], [30, 'c'], [40, 'd']));
    const q = { region: REGION, logGroup: GROUP, limit: 10 };
    assert.deepEqual(s.query({ ...q, startTime: 20 }).map((e) => e.message), ['b', 'c', 'd']);
    assert.deepEqual(s.query({ ...q, endTime: 30 }).map((e) => e.message), ['a', 'b', 'c']);
    assert.deepEqual(s.query({ ...q, startTime: 20, endTime: 30 }).map((e) => e.message), ['b', 'c']);
    assert.deepEqual(s.query({ ...q, startTime: 41 }), []);
  });

  it('combines filters', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([10, 'x hit'], [20, 'x miss'], [30, 'x hit']));
    s.append(REGION, GROUP, S2, events([30, 'x hit']));
    const got = s.query({ region: REGION, logGroup: GROUP, logStreams: [S1], contains: 'hit', startTime: 15, limit: 10 });
    assert.deepEqual(got.map((e) => [e.logStream, e.timestamp]), [[S1, 30]]);
  });

  it('streams() aggregates each stream, most recent event first', (t) => {
    const now = t.mock.method(Date, 'now', () => 1_000);
    const s = store();
    s.append(REGION, GROUP, S1, events([100, 'abc'], [300, 'de']));
    s.flush();
    now.mock.mockImplementation(() => 2_000);
    s.append(REGION, GROUP, S2, events([200, 'fghij']));
    s.append(REGION, GROUP, S1, events([150, 'k']));
    s.append(REGION, '/aws/lambda/other', 'x', events([999, 'ignored']));
    assert.deepEqual(s.streams(REGION, GROUP), [
      { logStream: S1, firstEventTimestamp: 100, lastEventTimestamp: 300, lastIngestionTime: 2_000, storedBytes: 6 },
      { logStream: S2, firstEventTimestamp: 200, lastEventTimestamp: 200, lastIngestionTime: 2_000, storedBytes: 5 },
    ]);
    assert.deepEqual(s.streams('eu-west-1', GROUP), []);
  });

  it('groups() lists groups of a region by name, filtered by prefix', (t) => {
    t.mock.method(Date, 'now', () => 7_000);
    const s = store();
    s.append(REGION, '/aws/lambda/b', S1, events([1, '12']));
    s.append(REGION, '/aws/lambda/a', S1, events([1, '1']));
    s.append(REGION, '/aws/lambda/a', S2, events([1, '234']));
    s.append(REGION, '/custom/x', S1, events([1, 'x']));
    s.append('eu-west-1', '/aws/lambda/c', S1, events([1, 'x']));
    assert.deepEqual(s.groups(REGION), [
      { logGroup: '/aws/lambda/a', firstIngestion: 7_000, storedBytes: 4 },
      { logGroup: '/aws/lambda/b', firstIngestion: 7_000, storedBytes: 2 },
      { logGroup: '/custom/x', firstIngestion: 7_000, storedBytes: 1 },
    ]);
    assert.deepEqual(s.groups(REGION, '/aws/lambda/').map((g) => g.logGroup), ['/aws/lambda/a', '/aws/lambda/b']);
    assert.deepEqual(s.groups(REGION, '/aws/lambda/b').map((g) => g.logGroup), ['/aws/lambda/b']);
    assert.deepEqual(s.groups(REGION, '/nothing'), []);
    assert.deepEqual(s.groups('eu-west-1').map((g) => g.logGroup), ['/aws/lambda/c']);
  });

  it('close() flushes pending events; reopening keeps them', () => {
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'persisted']));
    s.close();
    const reopened = store();
    assert.deepEqual(reopened.query({ region: REGION, logGroup: GROUP, limit: 10 }).map((e) => e.message), ['persisted']);
  });

  it('appends are buffered until flush, or until 1000 are pending', () => {
    const writer = store();
    const reader = store();
    const q = { region: REGION, logGroup: GROUP, limit: 5000 };
    writer.append(REGION, GROUP, S1, events(...Array.from({ length: 999 }, (_, i): [number, string] => [i, 'x'])));
    assert.equal(reader.query(q).length, 0, 'nothing committed before the batch fills');
    writer.append(REGION, GROUP, S1, events([999, 'x']));
    assert.equal(reader.query(q).length, 1000, 'the 1000th pending event commits the batch');
    writer.append(REGION, GROUP, S1, events([1000, 'y']));
    writer.flush();
    assert.equal(reader.query(q).length, 1001);
  });

  it('prunes events ingested before the retention window when opened', (t) => {
    const now = t.mock.method(Date, 'now', () => 10 * DAY);
    const s = store();
    s.append(REGION, GROUP, S1, events([1, 'old']));
    s.flush();
    now.mock.mockImplementation(() => 15 * DAY);
    s.append(REGION, GROUP, S1, events([2, 'recent']));
    s.close();

    now.mock.mockImplementation(() => 16 * DAY);
    const kept = store(7 * DAY);
    assert.deepEqual(kept.query({ region: REGION, logGroup: GROUP, limit: 10 }).map((e) => e.message), ['old', 'recent']);
    kept.close();

    const pruned = store(3 * DAY);
    assert.deepEqual(pruned.query({ region: REGION, logGroup: GROUP, limit: 10 }).map((e) => e.message), ['recent']);
    pruned.close();

    now.mock.mockImplementation(() => 100 * DAY);
    const empty = store(DAY);
    assert.deepEqual(empty.query({ region: REGION, logGroup: GROUP, limit: 10 }), []);
    assert.deepEqual(empty.groups(REGION), []);
  });
});
