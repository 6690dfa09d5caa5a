// Persistence of function URL configurations and function resource policies (SQLite, migration 4). Both belong to
// their function: the foreign keys cascade, so DeleteFunction removes them in its own statement. Nothing is cached:
// a lookup by url-id is one indexed read (microseconds), and the cascade would leave a cache stale.
import type { FunctionUrlRecord, PolicyRecord } from '../model/index.js';
import type { Db } from './sqlite.js';
import type { FunctionKey } from './function-repository.js';

export interface TriggerRepository {
  getUrl(key: FunctionKey, qualifier: string): FunctionUrlRecord | undefined;
  getUrlById(urlId: string): FunctionUrlRecord | undefined;
  listUrls(key: FunctionKey): FunctionUrlRecord[];
  /** False when the function already has a URL for this qualifier. */
  insertUrl(record: FunctionUrlRecord): boolean;
  replaceUrl(record: FunctionUrlRecord): void;
  deleteUrl(key: FunctionKey, qualifier: string): boolean;
  getPolicy(key: FunctionKey, qualifier: string): PolicyRecord | undefined;
  /** Writes the policy if its stored RevisionId is still `expectedRevisionId` (undefined: none stored yet). */
  putPolicy(policy: PolicyRecord, expectedRevisionId: string | undefined): boolean;
  deletePolicy(key: FunctionKey, qualifier: string): void;
}

export class SqliteTriggerRepository implements TriggerRepository {
  private readonly stmts;

  constructor(db: Db) {
    const where = 'account_id = ? AND region = ? AND name = ? AND qualifier = ?';
    this.stmts = {
      getUrl: db.prepare<[string, string, string, string], { record: string }>(`SELECT record FROM function_urls WHERE ${where}`),
      getUrlById: db.prepare<[string], { record: string }>('SELECT record FROM function_urls WHERE url_id = ?'),
      listUrls: db.prepare<[string, string, string], { record: string }>(
        'SELECT record FROM function_urls WHERE account_id = ? AND region = ? AND name = ? ORDER BY qualifier',
      ),
      insertUrl: db.prepare('INSERT OR IGNORE INTO function_urls (account_id, region, name, qualifier, url_id, record) VALUES (?, ?, ?, ?, ?, ?)'),
      replaceUrl: db.prepare(`UPDATE function_urls SET record = ? WHERE ${where}`),
      deleteUrl: db.prepare(`DELETE FROM function_urls WHERE ${where}`),
      getPolicy: db.prepare<[string, string, string, string], { record: string }>(`SELECT record FROM function_policies WHERE ${where}`),
      insertPolicy: db.prepare('INSERT OR IGNORE INTO function_policies (account_id, region, name, qualifier, record) VALUES (?, ?, ?, ?, ?)'),
      replacePolicy: db.prepare(`UPDATE function_policies SET record = ? WHERE ${where} AND json_extract(record, '$.revisionId') = ?`),
      deletePolicy: db.prepare(`DELETE FROM function_policies WHERE ${where}`),
    };
  }

  getUrl(key: FunctionKey, qualifier: string): FunctionUrlRecord | undefined {
    const row = this.stmts.getUrl.get(key.accountId, key.region, key.name, qualifier);
    return row === undefined ? undefined : (JSON.parse(row.record) as FunctionUrlRecord);
  }

  getUrlById(urlId: string): FunctionUrlRecord | undefined {
    const row = this.stmts.getUrlById.get(urlId);
    return row === undefined ? undefined : (JSON.parse(row.record) as FunctionUrlRecord);
  }

  listUrls(key: FunctionKey): FunctionUrlRecord[] {
    return this.stmts.listUrls.all(key.accountId, key.region, key.name).map((r) => JSON.parse(r.record) as FunctionUrlRecord);
  }

  insertUrl(record: FunctionUrlRecord): boolean {
    const r = this.stmts.insertUrl.run(record.accountId, record.region, record.functionName, record.qualifier, record.urlId, JSON.stringify(record));
    return r.changes === 1;
  }

  replaceUrl(record: FunctionUrlRecord): void {
    this.stmts.replaceUrl.run(JSON.stringify(record), record.accountId, record.region, record.functionName, record.qualifier);
  }

  deleteUrl(key: FunctionKey, qualifier: string): boolean {
    return this.stmts.deleteUrl.run(key.accountId, key.region, key.name, qualifier).changes === 1;
  }

  getPolicy(key: FunctionKey, qualifier: string): PolicyRecord | undefined {
    const row = this.stmts.getPolicy.get(key.accountId, key.region, key.name, qualifier);
    return row === undefined ? undefined : (JSON.parse(row.record) as PolicyRecord);
  }

  putPolicy(policy: PolicyRecord, expectedRevisionId: string | undefined): boolean {
    const args = [policy.accountId, policy.region, policy.functionName, policy.qualifier] as const;
    if (expectedRevisionId === undefined) return this.stmts.insertPolicy.run(...args, JSON.stringify(policy)).changes === 1;
    return this.stmts.replacePolicy.run(JSON.stringify(policy), ...args, expectedRevisionId).changes === 1;
  }

  deletePolicy(key: FunctionKey, qualifier: string): void {
    this.stmts.deletePolicy.run(key.accountId, key.region, key.name, qualifier);
  }
}
