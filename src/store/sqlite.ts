// Opens the embedded SQLite database (WAL, foreign keys, busy timeout) and applies numbered migrations once.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

const migrations: readonly string[] = [
  // 1: functions. The record is a JSON document (model/function.ts FunctionRecord); identity columns are keys.
  `CREATE TABLE functions (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     code_sha   TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name)
   ) WITHOUT ROWID;
   CREATE INDEX functions_code ON functions (code_sha);`,
  // 2: published versions and aliases, part of their function: deleting the function deletes them.
  `CREATE TABLE function_versions (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     version    INTEGER NOT NULL,
     code_sha   TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, version),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;
   CREATE INDEX function_versions_code ON function_versions (code_sha);
   CREATE TABLE function_aliases (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     alias      TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, alias),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;`,
  // 3: layers. One row per layer name holding the last version number handed out (never reused, even after every
  // version is deleted), and one row per version, a JSON document (model/layer.ts LayerVersionRecord).
  `CREATE TABLE layers (
     account_id   TEXT NOT NULL,
     region       TEXT NOT NULL,
     name         TEXT NOT NULL,
     last_version INTEGER NOT NULL,
     PRIMARY KEY (account_id, region, name)
   ) WITHOUT ROWID;
   CREATE TABLE layer_versions (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     version    INTEGER NOT NULL,
     code_sha   TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, version)
   ) WITHOUT ROWID;`,
  // 4: provisioned concurrency configurations, per function and qualifier (a version or an alias).
  `CREATE TABLE provisioned_concurrency (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     qualifier  TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, qualifier),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;`,
  // 5: async event queue. Events are rows until they are delivered (deleted) or dropped (kept, with the reason);
  // event invoke configs belong to their function and go with it.
  `CREATE TABLE async_events (
     id              TEXT PRIMARY KEY,
     account_id      TEXT NOT NULL,
     region          TEXT NOT NULL,
     function_name   TEXT NOT NULL,
     qualifier       TEXT NOT NULL,
     payload         BLOB NOT NULL,
     enqueued_at     INTEGER NOT NULL,
     next_attempt_at INTEGER NOT NULL,
     lease_until     INTEGER NOT NULL DEFAULT 0,
     invoke_count    INTEGER NOT NULL DEFAULT 0,
     function_errors INTEGER NOT NULL DEFAULT 0,
     platform_errors INTEGER NOT NULL DEFAULT 0,
     state           TEXT NOT NULL DEFAULT 'queued',
     dropped_reason  TEXT
   );
   CREATE INDEX async_events_due ON async_events (state, next_attempt_at);
   CREATE TABLE event_invoke_configs (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     qualifier  TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, qualifier),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;`,
  // 6: function URL configurations ($LATEST or an alias; url_id is the host label) and resource policies (per
  // qualifier), both part of their function: deleting the function deletes them. A version's or alias's policy goes
  // with the version or alias (an alias's URL stays, as on AWS, and answers 403 until the alias is back).
  `CREATE TABLE function_urls (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     qualifier  TEXT NOT NULL,
     url_id     TEXT NOT NULL UNIQUE,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, qualifier),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;
   CREATE TABLE function_policies (
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     name       TEXT NOT NULL,
     qualifier  TEXT NOT NULL,
     record     TEXT NOT NULL,
     PRIMARY KEY (account_id, region, name, qualifier),
     FOREIGN KEY (account_id, region, name) REFERENCES functions (account_id, region, name) ON DELETE CASCADE
   ) WITHOUT ROWID;
   CREATE TRIGGER function_aliases_policy AFTER DELETE ON function_aliases BEGIN
     DELETE FROM function_policies WHERE account_id = OLD.account_id AND region = OLD.region AND name = OLD.name AND qualifier = OLD.alias;
   END;
   CREATE TRIGGER function_versions_policy AFTER DELETE ON function_versions BEGIN
     DELETE FROM function_policies
     WHERE account_id = OLD.account_id AND region = OLD.region AND name = OLD.name AND qualifier = CAST(OLD.version AS TEXT);
   END;`,
  // 7: HTTP APIs (API Gateway v2): one JSON document per API (model/http-api.ts HttpApiRecord: routes,
  // integrations, stages). API ids are global, as their host names are.
  `CREATE TABLE http_apis (
     api_id     TEXT NOT NULL PRIMARY KEY,
     account_id TEXT NOT NULL,
     region     TEXT NOT NULL,
     record     TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

export function openDatabase(file: string): Db {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  let current = row?.version ?? 0;
  if (row === undefined) db.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
  const apply = db.transaction((sql: string, version: number) => {
    db.exec(sql);
    db.prepare('UPDATE schema_version SET version = ?').run(version);
  });
  while (current < migrations.length) {
    const sql = migrations[current];
    if (sql === undefined) break;
    apply(sql, current + 1);
    current += 1;
  }
}
