// Persistence of HTTP APIs (migration 5): one JSON document per API, replaced whole on every change. Reads are
// cached by api id (the serving path reads one per request); every write goes through this object.
import type { HttpApiRecord } from '../model/index.js';
import type { Db } from './sqlite.js';

export interface HttpApiRepository {
  get(apiId: string): HttpApiRecord | undefined;
  list(accountId: string, region: string): HttpApiRecord[];
  put(record: HttpApiRecord): void;
  delete(apiId: string): boolean;
}

export class SqliteHttpApiRepository implements HttpApiRepository {
  private readonly stmts;
  private readonly cache = new Map<string, HttpApiRecord>();

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<[string], { record: string }>('SELECT record FROM http_apis WHERE api_id = ?'),
      list: db.prepare<[string, string], { record: string }>('SELECT record FROM http_apis WHERE account_id = ? AND region = ? ORDER BY api_id'),
      put: db.prepare('INSERT OR REPLACE INTO http_apis (api_id, account_id, region, record) VALUES (?, ?, ?, ?)'),
      delete: db.prepare('DELETE FROM http_apis WHERE api_id = ?'),
    };
  }

  get(apiId: string): HttpApiRecord | undefined {
    const cached = this.cache.get(apiId);
    if (cached !== undefined) return cached;
    const row = this.stmts.get.get(apiId);
    if (row === undefined) return undefined;
    const record = Object.freeze(JSON.parse(row.record) as HttpApiRecord);
    this.cache.set(apiId, record);
    return record;
  }

  list(accountId: string, region: string): HttpApiRecord[] {
    return this.stmts.list.all(accountId, region).map((r) => JSON.parse(r.record) as HttpApiRecord);
  }

  put(record: HttpApiRecord): void {
    this.stmts.put.run(record.apiId, record.accountId, record.region, JSON.stringify(record));
    this.cache.set(record.apiId, Object.freeze(record));
  }

  delete(apiId: string): boolean {
    this.cache.delete(apiId);
    return this.stmts.delete.run(apiId).changes === 1;
  }
}
