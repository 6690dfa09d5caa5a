// The durable async event queue and the event invoke configs, in SQLite. An event is a row from the moment the
// API accepts it (the INSERT commits before the 202) until it is delivered (row deleted) or dropped (row kept
// with the reason). Claims are leases: a claimed event whose lease expires is claimable again, so a delivery
// cut short by a crash is retried (at least once). It does not decide retries; services/ does.
import type { EventInvokeConfig } from '../model/index.js';
import type { Db } from './sqlite.js';

export interface EventTarget {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** The qualifier as invoked: `$LATEST`, a version or an alias. */
  readonly qualifier: string;
}

export interface NewEvent extends EventTarget {
  readonly id: string;
  readonly payload: Buffer;
  readonly enqueuedAt: number;
}

export interface QueuedEvent extends NewEvent {
  /** Invocations that reached the function so far (AWS's approximateInvokeCount before this one). */
  readonly invokeCount: number;
  readonly functionErrors: number;
  readonly platformErrors: number;
}

export interface QueueCounts {
  readonly queued: number;
  readonly retrying: number;
  readonly inFlight: number;
  readonly dropped: number;
  /** Age of the oldest event not yet delivered or dropped, seconds (0 when there is none). */
  readonly oldestEventAgeSec: number;
}

interface EventRow {
  id: string; account_id: string; region: string; function_name: string; qualifier: string; payload: Buffer;
  enqueued_at: number; invoke_count: number; function_errors: number; platform_errors: number;
}

export class SqliteAsyncEventStore {
  private readonly insert;
  private readonly claimSql;
  private readonly completeSql;
  private readonly retrySql;
  private readonly dropSql;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(`INSERT INTO async_events (id, account_id, region, function_name, qualifier, payload, enqueued_at, next_attempt_at)
      VALUES (@id, @accountId, @region, @functionName, @qualifier, @payload, @enqueuedAt, @enqueuedAt)`);
    this.claimSql = db.prepare(`UPDATE async_events SET lease_until = @leaseUntil WHERE id IN (
        SELECT id FROM async_events WHERE state = 'queued' AND next_attempt_at <= @now AND lease_until <= @now
        ORDER BY next_attempt_at LIMIT @limit)
      RETURNING id, account_id, region, function_name, qualifier, payload, enqueued_at, invoke_count, function_errors, platform_errors`);
    this.completeSql = db.prepare(`DELETE FROM async_events WHERE id = ?`);
    this.retrySql = db.prepare(`UPDATE async_events SET next_attempt_at = @at, lease_until = 0, invoke_count = @invokeCount,
      function_errors = @functionErrors, platform_errors = @platformErrors WHERE id = @id`);
    // A dropped row's next_attempt_at records when it was dropped (for pruneDropped).
    this.dropSql = db.prepare(`UPDATE async_events SET state = 'dropped', dropped_reason = @reason, lease_until = 0, invoke_count = @invokeCount,
      next_attempt_at = @at WHERE id = @id`);
  }

  /** Committed when this returns (better-sqlite3 statements autocommit; WAL + synchronous=NORMAL survives a process crash). */
  enqueue(event: NewEvent): void {
    this.insert.run({ ...event });
  }

  /** Leases up to `limit` due events until `leaseUntil`. */
  claim(now: number, leaseUntil: number, limit: number): QueuedEvent[] {
    if (limit <= 0) return [];
    return (this.claimSql.all({ now, leaseUntil, limit }) as EventRow[]).map((r) => ({
      id: r.id, accountId: r.account_id, region: r.region, functionName: r.function_name, qualifier: r.qualifier, payload: r.payload,
      enqueuedAt: r.enqueued_at, invokeCount: r.invoke_count, functionErrors: r.function_errors, platformErrors: r.platform_errors,
    }));
  }

  complete(id: string): void {
    this.completeSql.run(id);
  }

  retry(id: string, at: number, counts: { invokeCount: number; functionErrors: number; platformErrors: number }): void {
    this.retrySql.run({ id, at, ...counts });
  }

  drop(id: string, reason: string, invokeCount: number, at: number): void {
    this.dropSql.run({ id, reason, invokeCount, at });
  }

  /** Deletes dropped events older than `before` (epoch ms); returns how many. */
  pruneDropped(before: number): number {
    return this.db.prepare(`DELETE FROM async_events WHERE state = 'dropped' AND next_attempt_at < ?`).run(before).changes;
  }

  /** This server is the data dir's only user (data-dir lock): leases left by a previous process are void. */
  releaseAllLeases(): number {
    return this.db.prepare(`UPDATE async_events SET lease_until = 0 WHERE lease_until > 0 AND state = 'queued'`).run().changes;
  }

  counts(now: number): QueueCounts {
    const row = this.db.prepare(`SELECT
        coalesce(sum(state = 'queued' AND lease_until <= @now AND invoke_count + platform_errors = 0), 0) AS queued,
        coalesce(sum(state = 'queued' AND lease_until <= @now AND invoke_count + platform_errors > 0), 0) AS retrying,
        coalesce(sum(state = 'queued' AND lease_until > @now), 0) AS inFlight,
        coalesce(sum(state = 'dropped'), 0) AS dropped,
        min(CASE WHEN state = 'queued' THEN enqueued_at END) AS oldest
      FROM async_events`).get({ now }) as Omit<QueueCounts, 'oldestEventAgeSec'> & { oldest: number | null };
    const { oldest, ...counts } = row;
    return { ...counts, oldestEventAgeSec: oldest === null ? 0 : Math.max(0, Math.round((now - oldest) / 1000)) };
  }

  droppedReasons(): Record<string, number> {
    const rows = this.db.prepare(`SELECT dropped_reason AS reason, count(*) AS n FROM async_events WHERE state = 'dropped' GROUP BY dropped_reason`).all() as { reason: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.reason, r.n]));
  }

  getConfig(target: EventTarget): EventInvokeConfig | undefined {
    const row = this.db.prepare(`SELECT record FROM event_invoke_configs WHERE account_id = ? AND region = ? AND name = ? AND qualifier = ?`)
      .get(target.accountId, target.region, target.functionName, target.qualifier) as { record: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.record) as EventInvokeConfig);
  }

  putConfig(target: EventTarget, config: EventInvokeConfig): void {
    this.db.prepare(`INSERT OR REPLACE INTO event_invoke_configs (account_id, region, name, qualifier, record) VALUES (?, ?, ?, ?, ?)`)
      .run(target.accountId, target.region, target.functionName, target.qualifier, JSON.stringify(config));
  }

  deleteConfig(target: EventTarget): boolean {
    return this.db.prepare(`DELETE FROM event_invoke_configs WHERE account_id = ? AND region = ? AND name = ? AND qualifier = ?`)
      .run(target.accountId, target.region, target.functionName, target.qualifier).changes > 0;
  }

  /** Every config of one function, ordered by qualifier. */
  listConfigs(accountId: string, region: string, functionName: string): { qualifier: string; config: EventInvokeConfig }[] {
    const rows = this.db.prepare(`SELECT qualifier, record FROM event_invoke_configs WHERE account_id = ? AND region = ? AND name = ? ORDER BY qualifier`)
      .all(accountId, region, functionName) as { qualifier: string; record: string }[];
    return rows.map((r) => ({ qualifier: r.qualifier, config: JSON.parse(r.record) as EventInvokeConfig }));
  }
}
