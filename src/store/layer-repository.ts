// Persistence port for layer versions and its SQLite adapter. A version is one LayerVersionRecord document;
// the `layers` table keeps each name's last version number, so a number is never handed out twice.
import type { LayerVersionRecord } from '../model/layer.js';
import type { Db } from './sqlite.js';

export interface LayerKey {
  readonly accountId: string;
  readonly region: string;
  readonly layerName: string;
}

export interface LayerRepository {
  /** Takes the layer's next version number and stores the record `build` makes for it, in one transaction. */
  publish(key: LayerKey, build: (version: number) => LayerVersionRecord): LayerVersionRecord;
  get(key: LayerKey, version: number): LayerVersionRecord | undefined;
  /** The versions of one layer, newest first. */
  versions(key: LayerKey): LayerVersionRecord[];
  /** Every version in an account and region, by layer name, each layer's newest first. */
  inRegion(accountId: string, region: string): LayerVersionRecord[];
  /** Replaces a version's record if its policy revision is still `expectedPolicyRevision`; false otherwise. */
  replace(record: LayerVersionRecord, expectedPolicyRevision: string | undefined): boolean;
  delete(key: LayerKey, version: number): boolean;
  /** SHA-256 (hex) of every stored version's package, for the code collector. */
  codeShas(): string[];
}

type Row = { record: string };
const parse = (row: Row): LayerVersionRecord => JSON.parse(row.record) as LayerVersionRecord;

export class SqliteLayerRepository implements LayerRepository {
  private readonly stmts;
  private readonly publishTx;

  constructor(db: Db) {
    this.stmts = {
      next: db.prepare<[string, string, string], { last_version: number }>(
        `INSERT INTO layers (account_id, region, name, last_version) VALUES (?, ?, ?, 1)
         ON CONFLICT (account_id, region, name) DO UPDATE SET last_version = last_version + 1
         RETURNING last_version`,
      ),
      insert: db.prepare('INSERT INTO layer_versions (account_id, region, name, version, code_sha, record) VALUES (?, ?, ?, ?, ?, ?)'),
      get: db.prepare<[string, string, string, number], Row>(
        'SELECT record FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?',
      ),
      versions: db.prepare<[string, string, string], Row>(
        'SELECT record FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? ORDER BY version DESC',
      ),
      inRegion: db.prepare<[string, string], Row>(
        'SELECT record FROM layer_versions WHERE account_id = ? AND region = ? ORDER BY name, version DESC',
      ),
      replace: db.prepare(
        `UPDATE layer_versions SET record = ?
         WHERE account_id = ? AND region = ? AND name = ? AND version = ? AND json_extract(record, '$.policyRevisionId') IS ?`,
      ),
      delete: db.prepare('DELETE FROM layer_versions WHERE account_id = ? AND region = ? AND name = ? AND version = ?'),
      codeShas: db.prepare<[], { code_sha: string }>('SELECT DISTINCT code_sha FROM layer_versions'),
    };
    this.publishTx = db.transaction((key: LayerKey, build: (version: number) => LayerVersionRecord) => {
      const version = this.stmts.next.get(key.accountId, key.region, key.layerName)?.last_version;
      if (version === undefined) throw new Error('layer version counter returned no row');
      const record = build(version);
      this.stmts.insert.run(key.accountId, key.region, key.layerName, version, record.code.sha256Hex, JSON.stringify(record));
      return record;
    });
  }

  publish(key: LayerKey, build: (version: number) => LayerVersionRecord): LayerVersionRecord {
    return this.publishTx(key, build);
  }

  get(key: LayerKey, version: number): LayerVersionRecord | undefined {
    const row = this.stmts.get.get(key.accountId, key.region, key.layerName, version);
    return row === undefined ? undefined : parse(row);
  }

  versions(key: LayerKey): LayerVersionRecord[] {
    return this.stmts.versions.all(key.accountId, key.region, key.layerName).map(parse);
  }

  inRegion(accountId: string, region: string): LayerVersionRecord[] {
    return this.stmts.inRegion.all(accountId, region).map(parse);
  }

  replace(record: LayerVersionRecord, expectedPolicyRevision: string | undefined): boolean {
    const r = this.stmts.replace.run(
      JSON.stringify(record), record.accountId, record.region, record.layerName, record.version, expectedPolicyRevision ?? null,
    );
    return r.changes === 1;
  }

  delete(key: LayerKey, version: number): boolean {
    return this.stmts.delete.run(key.accountId, key.region, key.layerName, version).changes === 1;
  }

  codeShas(): string[] {
    return this.stmts.codeShas.all().map((r) => r.code_sha);
  }
}
