// Persistence port for functions and its SQLite adapter. Records are whole FunctionRecord documents; every
// write is one statement, so a crash leaves either the old or the new record.
import type { FunctionRecord } from '../model/function.js';
import type { Db } from './sqlite.js';

export interface FunctionKey {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
}

export interface FunctionPage {
  readonly items: readonly FunctionRecord[];
  /** Name to continue after, when more items exist. */
  readonly nextAfter?: string;
}

export interface FunctionRepository {
  get(key: FunctionKey): FunctionRecord | undefined;
  /** Inserts a new function; false if one with that key exists. */
  insert(record: FunctionRecord): boolean;
  /** Replaces the record if its revision is still `expectedRevisionId`; false otherwise. */
  replace(record: FunctionRecord, expectedRevisionId: string): boolean;
  delete(key: FunctionKey): boolean;
  list(accountId: string, region: string, after: string | undefined, limit: number): FunctionPage;
  /** Every function, for start-up reconciliation. */
  all(): FunctionRecord[];
  countByCode(codeSha256Hex: string): number;
  totals(accountId: string, region: string): { functionCount: number; totalCodeSize: number };
}

/**
 * SQLite adapter. Parsed records are cached write-through: every write goes through this object and one
 * server owns a data directory (main/ holds a lock), so the cache cannot go stale. The invoke path then
 * resolves a function without a query or a JSON parse.
 */
export class SqliteFunctionRepository implements FunctionRepository {
  private readonly stmts;
  private readonly cache = new Map<string, FunctionRecord>();

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string, string, string], { record: string }>(
        'SELECT record FROM functions WHERE account_id = ? AND region = ? AND name = ?',
      ),
      insert: db.prepare(
        'INSERT OR IGNORE INTO functions (account_id, region, name, code_sha, record) VALUES (?, ?, ?, ?, ?)',
      ),
      replace: db.prepare(
        `UPDATE functions SET record = ?, code_sha = ?
         WHERE account_id = ? AND region = ? AND name = ? AND json_extract(record, '$.revisionId') = ?`,
      ),
      delete: db.prepare('DELETE FROM functions WHERE account_id = ? AND region = ? AND name = ?'),
      list: db.prepare<[string, string, string, number], { record: string }>(
        'SELECT record FROM functions WHERE account_id = ? AND region = ? AND name > ? ORDER BY name LIMIT ?',
      ),
      all: db.prepare<[], { record: string }>('SELECT record FROM functions'),
      countByCode: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM functions WHERE code_sha = ?'),
      totals: db.prepare<[string, string], { n: number; size: number | null }>(
        `SELECT count(*) AS n, sum(json_extract(record, '$.code.size')) AS size
         FROM functions WHERE account_id = ? AND region = ?`,
      ),
    };
  }

  get(key: FunctionKey): FunctionRecord | undefined {
    const id = cacheKey(key);
    const cached = this.cache.get(id);
    if (cached !== undefined) return cached;
    const row = this.stmts.get.get(key.accountId, key.region, key.name);
    if (row === undefined) return undefined;
    const record = Object.freeze(JSON.parse(row.record) as FunctionRecord);
    this.cache.set(id, record);
    return record;
  }

  insert(record: FunctionRecord): boolean {
    const r = this.stmts.insert.run(record.accountId, record.region, record.name, record.code.sha256Hex, JSON.stringify(record));
    if (r.changes === 1) this.cache.set(cacheKey(record), Object.freeze(record));
    return r.changes === 1;
  }

  replace(record: FunctionRecord, expectedRevisionId: string): boolean {
    const r = this.stmts.replace.run(
      JSON.stringify(record), record.code.sha256Hex, record.accountId, record.region, record.name, expectedRevisionId,
    );
    if (r.changes === 1) this.cache.set(cacheKey(record), Object.freeze(record));
    return r.changes === 1;
  }

  delete(key: FunctionKey): boolean {
    this.cache.delete(cacheKey(key));
    return this.stmts.delete.run(key.accountId, key.region, key.name).changes === 1;
  }

  list(accountId: string, region: string, after: string | undefined, limit: number): FunctionPage {
    const rows = this.stmts.list.all(accountId, region, after ?? '', limit + 1);
    const items = rows.slice(0, limit).map((r) => JSON.parse(r.record) as FunctionRecord);
    const last = items[items.length - 1];
    return rows.length > limit && last !== undefined ? { items, nextAfter: last.name } : { items };
  }

  all(): FunctionRecord[] {
    return this.stmts.all.all().map((r) => JSON.parse(r.record) as FunctionRecord);
  }

  countByCode(codeSha256Hex: string): number {
    return this.stmts.countByCode.get(codeSha256Hex)?.n ?? 0;
  }

  totals(accountId: string, region: string): { functionCount: number; totalCodeSize: number } {
    const row = this.stmts.totals.get(accountId, region);
    return { functionCount: row?.n ?? 0, totalCodeSize: row?.size ?? 0 };
  }
}

function cacheKey(key: FunctionKey): string {
  return `${key.accountId}\u0000${key.region}\u0000${key.name}`;
}
