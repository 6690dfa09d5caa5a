// Function log storage: CloudWatch-like log groups and streams of timestamped events, kept in their own SQLite
// file (logs.db) so heavy logging never contends with the control-plane database. Appends are buffered and
// committed in batches by a writer thread (log-writer.ts), so the inserts do not hold up invocations; every read
// first waits until what was appended before it is stored. Readers page by event id, which also drives `--follow`.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LogBatch, LogRow, LogWriterData } from './log-writer.js';

export interface LogEventInput {
  readonly timestamp: number;
  readonly message: string;
}

export interface StoredLogEvent extends LogEventInput {
  readonly id: number;
  readonly region: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly ingestionTime: number;
}

export interface LogQuery {
  readonly region: string;
  readonly logGroup: string;
  readonly logStreams?: readonly string[];
  readonly startTime?: number;
  readonly endTime?: number;
  /** Only events with a larger id (paging and following). */
  readonly afterId?: number;
  /** Plain substring match (CloudWatch's simplest filter pattern). */
  readonly contains?: string;
  readonly limit: number;
}

export interface LogStreamInfo {
  readonly logStream: string;
  readonly firstEventTimestamp: number;
  readonly lastEventTimestamp: number;
  readonly lastIngestionTime: number;
  readonly storedBytes: number;
}

const FLUSH_INTERVAL_MS = 50;
const FLUSH_BATCH = 1000;
const PRUNE_INTERVAL_MS = 3_600_000;
/** Longest a read waits for the writer thread before it reports the thread stuck and reads what is stored. */
const WRITER_WAIT_MS = 10_000;

export class FunctionLogStore {
  private readonly db: Database.Database;
  private pending: LogRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly pruneTimer: NodeJS.Timeout;
  /** Started with the first batch, so that a server start does not wait on a thread loading SQLite. */
  private writer: Worker | undefined;
  /** The last batch handed to the writer; `handled` (shared with it) is the last one it has dealt with. */
  private posted = 0;
  private readonly handled = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  /** The writer thread has ended (its failure was reported): nothing is waited for any more. */
  private writerGone = false;

  constructor(
    private readonly file: string,
    private readonly retentionMs: number,
    /** Told when a batch could not be stored (e.g. disk full); the batch is dropped, the server carries on. */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS log_events (
      id INTEGER PRIMARY KEY, region TEXT NOT NULL, log_group TEXT NOT NULL, log_stream TEXT NOT NULL,
      ts INTEGER NOT NULL, ingest INTEGER NOT NULL, message TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS log_events_group ON log_events (region, log_group, id);
      CREATE INDEX IF NOT EXISTS log_events_time ON log_events (region, log_group, ts);`);
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  append(region: string, logGroup: string, logStream: string, events: readonly LogEventInput[]): void {
    const now = Date.now();
    for (const e of events) this.pending.push([region, logGroup, logStream, e.timestamp, now, e.message]);
    if (this.pending.length >= FLUSH_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.post(), FLUSH_INTERVAL_MS);
  }

  /** Stores what is pending: when it returns, every connection to logs.db can read it. */
  flush(): void {
    this.post();
    this.awaitWriter();
  }

  /** Hands pending events to the writer thread without waiting for them to be stored. */
  private post(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.posted += 1;
    this.writer ??= this.startWriter();
    this.writer.postMessage({ seq: this.posted, rows } satisfies LogBatch);
  }

  private startWriter(): Worker {
    const writer = new Worker(new URL('./log-writer.js', import.meta.url), { workerData: { file: this.file, done: this.handled.buffer } satisfies LogWriterData });
    // Its messages are batches it could not store.
    writer.on('message', (err: unknown) => this.onError(err));
    writer.on('error', (err) => this.onError(err));
    writer.on('exit', () => (this.writerGone = true));
    // Closing the store ends the thread; until then it must not keep the process alive on its own.
    writer.unref();
    return writer;
  }

  /** Blocks until the writer has dealt with every batch posted so far (reads are rare; invocations never wait here). */
  private awaitWriter(): void {
    const deadline = performance.now() + WRITER_WAIT_MS;
    for (let seen = Atomics.load(this.handled, 0); seen < this.posted && !this.writerGone; seen = Atomics.load(this.handled, 0)) {
      const left = deadline - performance.now();
      if (left <= 0) return this.onError(new Error(`the function log writer has not stored its last ${this.posted - seen} batches within ${WRITER_WAIT_MS} ms`));
      Atomics.wait(this.handled, 0, seen, left);
    }
  }

  query(q: LogQuery): StoredLogEvent[] {
    this.flush();
    const where = ['region = ?', 'log_group = ?'];
    const args: Array<string | number> = [q.region, q.logGroup];
    const when = (clause: string, value: string | number | undefined) => {
      if (value === undefined || value === '') return;
      where.push(clause);
      args.push(value);
    };
    when('id > ?', q.afterId);
    when('ts >= ?', q.startTime);
    when('ts <= ?', q.endTime);
    when('instr(message, ?) > 0', q.contains);
    if (q.logStreams && q.logStreams.length > 0) {
      where.push(`log_stream IN (${q.logStreams.map(() => '?').join(',')})`);
      args.push(...q.logStreams);
    }
    const rows = this.db
      .prepare(`SELECT id, region, log_group, log_stream, ts, ingest, message FROM log_events WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?`)
      .all(...args, q.limit) as Array<{ id: number; region: string; log_group: string; log_stream: string; ts: number; ingest: number; message: string }>;
    return rows.map((r) => ({
      id: r.id, region: r.region, logGroup: r.log_group, logStream: r.log_stream, timestamp: r.ts, ingestionTime: r.ingest, message: r.message,
    }));
  }

  hasGroup(region: string, logGroup: string): boolean {
    this.flush();
    return this.db.prepare('SELECT 1 FROM log_events WHERE region = ? AND log_group = ? LIMIT 1').get(region, logGroup) !== undefined;
  }

  streams(region: string, logGroup: string): LogStreamInfo[] {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT log_stream, min(ts) AS first, max(ts) AS last, max(ingest) AS ingest, sum(length(message)) AS bytes
         FROM log_events WHERE region = ? AND log_group = ? GROUP BY log_stream ORDER BY last DESC`,
      )
      .all(region, logGroup) as Array<{ log_stream: string; first: number; last: number; ingest: number; bytes: number }>;
    return rows.map((r) => ({
      logStream: r.log_stream, firstEventTimestamp: r.first, lastEventTimestamp: r.last, lastIngestionTime: r.ingest, storedBytes: r.bytes,
    }));
  }

  groups(region: string, prefix = ''): Array<{ logGroup: string; firstIngestion: number; storedBytes: number }> {
    this.flush();
    const rows = this.db
      .prepare(
        `SELECT log_group, min(ingest) AS first, sum(length(message)) AS bytes FROM log_events
         WHERE region = ? AND substr(log_group, 1, ?) = ? GROUP BY log_group ORDER BY log_group`,
      )
      .all(region, prefix.length, prefix) as Array<{ log_group: string; first: number; bytes: number }>;
    return rows.map((r) => ({ logGroup: r.log_group, firstIngestion: r.first, storedBytes: r.bytes }));
  }

  private prune(): void {
    try {
      this.db.prepare('DELETE FROM log_events WHERE ingest < ?').run(Date.now() - this.retentionMs);
    } catch (err) {
      this.onError(err);
    }
  }

  close(): void {
    clearInterval(this.pruneTimer);
    this.flush();
    void this.writer?.terminate();
    this.db.close();
  }
}
