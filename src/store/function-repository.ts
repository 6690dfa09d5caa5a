// Persistence port for functions — $LATEST, published versions and aliases, one aggregate — and its SQLite
// adapter. Records are whole JSON documents; every write is one statement or one transaction, so a crash leaves
// either the old or the new state. Deleting a function deletes its versions and aliases (foreign-key cascade).
import type { AliasRecord, FunctionRecord, VersionRecord } from '../model/function.js';
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

export interface Page<T> {
  readonly items: readonly T[];
  /** True when more items follow the last one. */
  readonly more: boolean;
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
  /** Sum of the reserved concurrency of the account's functions in the region. */
  reservedConcurrency(accountId: string, region: string): number;

  getVersion(key: FunctionKey, version: string): VersionRecord | undefined;
  /** Versions numbered above `after`, ascending. */
  listVersions(key: FunctionKey, after: number, limit: number): Page<VersionRecord>;
  /** The highest-numbered existing version. */
  newestVersion(key: FunctionKey): VersionRecord | undefined;
  /** Every published version of every function, for start-up reconciliation. */
  allVersions(): VersionRecord[];
  /** Inserts `version` and replaces $LATEST with `latest` in one transaction, if $LATEST still has `expectedRevisionId`. */
  publish(latest: FunctionRecord, expectedRevisionId: string, version: VersionRecord): boolean;
  /** CreateFunction with Publish: the function and its version 1 in one transaction; false if the function exists. */
  insertWithVersion(record: FunctionRecord, version: VersionRecord): boolean;
  replaceVersion(version: VersionRecord, expectedRevisionId: string): boolean;
  deleteVersion(key: FunctionKey, version: string): boolean;

  getAlias(key: FunctionKey, alias: string): AliasRecord | undefined;
  /** Aliases named after `after`, by name; only those pointing at `functionVersion` when given. */
  listAliases(key: FunctionKey, functionVersion: string | undefined, after: string | undefined, limit: number): Page<AliasRecord>;
  insertAlias(alias: AliasRecord): boolean;
  replaceAlias(alias: AliasRecord, expectedRevisionId: string): boolean;
  deleteAlias(key: FunctionKey, alias: string): boolean;
}

/**
 * SQLite adapter. Parsed records are cached write-through: every write goes through this object and one
 * server owns a data directory (main/ holds a lock), so the cache cannot go stale. The invoke path then
 * resolves a function without a query or a JSON parse.
 */
export class SqliteFunctionRepository implements FunctionRepository {
  private readonly stmts;
  private readonly cache = new Map<string, FunctionRecord>();
  /** Versions and aliases by `<function key>\u0000v<version>` / `\u0000a<alias>`: the invoke path reads them per call. */
  private readonly children = new Map<string, VersionRecord | AliasRecord>();
  private readonly publishTx: (latest: FunctionRecord, expectedRevisionId: string, version: VersionRecord) => boolean;
  private readonly insertWithVersionTx: (record: FunctionRecord, version: VersionRecord) => boolean;

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
      reserved: db.prepare<[string, string], { n: number | null }>(
        `SELECT sum(json_extract(record, '$.reservedConcurrency')) AS n FROM functions WHERE account_id = ? AND region = ?`,
      ),
      versionsCodeSize: db.prepare<[string, string], { size: number | null }>(
        `SELECT sum(json_extract(record, '$.code.size')) AS size FROM function_versions WHERE account_id = ? AND region = ?`,
      ),
      versionsByCode: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM function_versions WHERE code_sha = ?'),
      getVersion: db.prepare<[string, string, string, number], { record: string }>(
        'SELECT record FROM function_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?',
      ),
      listVersions: db.prepare<[string, string, string, number, number], { record: string }>(
        `SELECT record FROM function_versions WHERE account_id = ? AND region = ? AND name = ? AND version > ?
         ORDER BY version LIMIT ?`,
      ),
      newestVersion: db.prepare<[string, string, string], { record: string }>(
        'SELECT record FROM function_versions WHERE account_id = ? AND region = ? AND name = ? ORDER BY version DESC LIMIT 1',
      ),
      allVersions: db.prepare<[], { record: string }>('SELECT record FROM function_versions'),
      insertVersion: db.prepare(
        'INSERT OR IGNORE INTO function_versions (account_id, region, name, version, code_sha, record) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      replaceVersion: db.prepare(
        `UPDATE function_versions SET record = ?
         WHERE account_id = ? AND region = ? AND name = ? AND version = ? AND json_extract(record, '$.revisionId') = ?`,
      ),
      deleteVersion: db.prepare('DELETE FROM function_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?'),
      getAlias: db.prepare<[string, string, string, string], { record: string }>(
        'SELECT record FROM function_aliases WHERE account_id = ? AND region = ? AND name = ? AND alias = ?',
      ),
      listAliases: db.prepare<[string, string, string, string], { record: string }>(
        'SELECT record FROM function_aliases WHERE account_id = ? AND region = ? AND name = ? AND alias > ? ORDER BY alias',
      ),
      insertAlias: db.prepare('INSERT OR IGNORE INTO function_aliases (account_id, region, name, alias, record) VALUES (?, ?, ?, ?, ?)'),
      replaceAlias: db.prepare(
        `UPDATE function_aliases SET record = ?
         WHERE account_id = ? AND region = ? AND name = ? AND alias = ? AND json_extract(record, '$.revisionId') = ?`,
      ),
      deleteAlias: db.prepare('DELETE FROM function_aliases WHERE account_id = ? AND region = ? AND name = ? AND alias = ?'),
    };
    this.publishTx = db.transaction((latest: FunctionRecord, expectedRevisionId: string, version: VersionRecord): boolean => {
      if (!this.replaceRow(latest, expectedRevisionId)) return false;
      if (!this.insertVersionRow(version)) throw new Error(`version ${version.version} of ${version.name} exists already`);
      return true;
    });
    this.insertWithVersionTx = db.transaction((record: FunctionRecord, version: VersionRecord): boolean => {
      if (!this.insertRow(record)) return false;
      if (!this.insertVersionRow(version)) throw new Error(`version ${version.version} of ${version.name} exists already`);
      return true;
    });
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
    return this.insertRow(record);
  }

  replace(record: FunctionRecord, expectedRevisionId: string): boolean {
    return this.replaceRow(record, expectedRevisionId);
  }

  delete(key: FunctionKey): boolean {
    this.cache.delete(cacheKey(key));
    const prefix = `${cacheKey(key)}\u0000`;
    for (const k of this.children.keys()) if (k.startsWith(prefix)) this.children.delete(k);
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
    return (this.stmts.countByCode.get(codeSha256Hex)?.n ?? 0) + (this.stmts.versionsByCode.get(codeSha256Hex)?.n ?? 0);
  }

  /** AWS counts the code of every published version towards the account's TotalCodeSize. */
  totals(accountId: string, region: string): { functionCount: number; totalCodeSize: number } {
    const row = this.stmts.totals.get(accountId, region);
    const versions = this.stmts.versionsCodeSize.get(accountId, region)?.size ?? 0;
    return { functionCount: row?.n ?? 0, totalCodeSize: (row?.size ?? 0) + versions };
  }

  reservedConcurrency(accountId: string, region: string): number {
    return this.stmts.reserved.get(accountId, region)?.n ?? 0;
  }

  getVersion(key: FunctionKey, version: string): VersionRecord | undefined {
    const id = versionKey(key, version);
    const cached = this.children.get(id) as VersionRecord | undefined;
    if (cached !== undefined) return cached;
    const row = this.stmts.getVersion.get(key.accountId, key.region, key.name, Number(version));
    if (row === undefined) return undefined;
    const record = Object.freeze(JSON.parse(row.record) as VersionRecord);
    this.children.set(id, record);
    return record;
  }

  listVersions(key: FunctionKey, after: number, limit: number): Page<VersionRecord> {
    const rows = this.stmts.listVersions.all(key.accountId, key.region, key.name, after, limit + 1);
    return { items: rows.slice(0, limit).map((r) => JSON.parse(r.record) as VersionRecord), more: rows.length > limit };
  }

  newestVersion(key: FunctionKey): VersionRecord | undefined {
    const row = this.stmts.newestVersion.get(key.accountId, key.region, key.name);
    return row === undefined ? undefined : (JSON.parse(row.record) as VersionRecord);
  }

  allVersions(): VersionRecord[] {
    return this.stmts.allVersions.all().map((r) => JSON.parse(r.record) as VersionRecord);
  }

  publish(latest: FunctionRecord, expectedRevisionId: string, version: VersionRecord): boolean {
    return this.inTransaction(version, () => this.publishTx(latest, expectedRevisionId, version));
  }

  insertWithVersion(record: FunctionRecord, version: VersionRecord): boolean {
    return this.inTransaction(version, () => this.insertWithVersionTx(record, version));
  }

  replaceVersion(version: VersionRecord, expectedRevisionId: string): boolean {
    const r = this.stmts.replaceVersion.run(
      JSON.stringify(version), version.accountId, version.region, version.name, Number(version.version), expectedRevisionId,
    );
    if (r.changes === 1) this.children.set(versionKey(version, version.version), Object.freeze(version));
    return r.changes === 1;
  }

  deleteVersion(key: FunctionKey, version: string): boolean {
    this.children.delete(versionKey(key, version));
    return this.stmts.deleteVersion.run(key.accountId, key.region, key.name, Number(version)).changes === 1;
  }

  getAlias(key: FunctionKey, alias: string): AliasRecord | undefined {
    const id = aliasKey(key, alias);
    const cached = this.children.get(id) as AliasRecord | undefined;
    if (cached !== undefined) return cached;
    const row = this.stmts.getAlias.get(key.accountId, key.region, key.name, alias);
    if (row === undefined) return undefined;
    const record = Object.freeze(JSON.parse(row.record) as AliasRecord);
    this.children.set(id, record);
    return record;
  }

  listAliases(key: FunctionKey, functionVersion: string | undefined, after: string | undefined, limit: number): Page<AliasRecord> {
    // A function has few aliases: filter by version here rather than keep a second index.
    const all = this.stmts.listAliases.all(key.accountId, key.region, key.name, after ?? '').map((r) => JSON.parse(r.record) as AliasRecord);
    const matching = functionVersion === undefined ? all : all.filter((a) => a.functionVersion === functionVersion);
    return { items: matching.slice(0, limit), more: matching.length > limit };
  }

  insertAlias(alias: AliasRecord): boolean {
    const r = this.stmts.insertAlias.run(alias.accountId, alias.region, alias.functionName, alias.name, JSON.stringify(alias));
    if (r.changes === 1) this.children.set(aliasKey(aliasOwner(alias), alias.name), Object.freeze(alias));
    return r.changes === 1;
  }

  replaceAlias(alias: AliasRecord, expectedRevisionId: string): boolean {
    const r = this.stmts.replaceAlias.run(JSON.stringify(alias), alias.accountId, alias.region, alias.functionName, alias.name, expectedRevisionId);
    if (r.changes === 1) this.children.set(aliasKey(aliasOwner(alias), alias.name), Object.freeze(alias));
    return r.changes === 1;
  }

  deleteAlias(key: FunctionKey, alias: string): boolean {
    this.children.delete(aliasKey(key, alias));
    return this.stmts.deleteAlias.run(key.accountId, key.region, key.name, alias).changes === 1;
  }

  /** A rolled-back transaction may have cached rows it wrote: drop them, the next read reloads the truth. */
  private inTransaction(version: VersionRecord, run: () => boolean): boolean {
    try {
      return run();
    } catch (err) {
      this.cache.delete(cacheKey(version));
      this.children.delete(versionKey(version, version.version));
      throw err;
    }
  }

  private insertRow(record: FunctionRecord): boolean {
    const r = this.stmts.insert.run(record.accountId, record.region, record.name, record.code.sha256Hex, JSON.stringify(record));
    if (r.changes === 1) this.cache.set(cacheKey(record), Object.freeze(record));
    return r.changes === 1;
  }

  private replaceRow(record: FunctionRecord, expectedRevisionId: string): boolean {
    const r = this.stmts.replace.run(
      JSON.stringify(record), record.code.sha256Hex, record.accountId, record.region, record.name, expectedRevisionId,
    );
    if (r.changes === 1) this.cache.set(cacheKey(record), Object.freeze(record));
    return r.changes === 1;
  }

  private insertVersionRow(version: VersionRecord): boolean {
    const r = this.stmts.insertVersion.run(
      version.accountId, version.region, version.name, Number(version.version), version.code.sha256Hex, JSON.stringify(version),
    );
    if (r.changes === 1) this.children.set(versionKey(version, version.version), Object.freeze(version));
    return r.changes === 1;
  }
}

function aliasOwner(alias: AliasRecord): FunctionKey {
  return { accountId: alias.accountId, region: alias.region, name: alias.functionName };
}

function versionKey(key: FunctionKey, version: string): string {
  return `${cacheKey(key)}\u0000v${version}`;
}

function aliasKey(key: FunctionKey, alias: string): string {
  return `${cacheKey(key)}\u0000a${alias}`;
}

function cacheKey(key: FunctionKey): string {
  return `${key.accountId}\u0000${key.region}\u0000${key.name}`;
}
