// Unit tests for store/function-repository.ts (SqliteFunctionRepository) on a temp SQLite file opened with
// store/sqlite.ts openDatabase: insert, get, optimistic replace, delete, paging, totals, code reference counts,
// and persistence across reopening (migrations run once).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AliasRecord, FunctionRecord, VersionRecord } from '../../src/model/function.js';
import { SqliteFunctionRepository } from '../../src/store/function-repository.js';
import { type Db, openDatabase } from '../../src/store/sqlite.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function record(name: string, over: { accountId?: string; region?: string; revisionId?: string; sha?: string; size?: number; description?: string } = {}): FunctionRecord {
  const sha = over.sha ?? 'a'.repeat(64);
  return {
    accountId: over.accountId ?? ACCOUNT,
    region: over.region ?? REGION,
    name,
    settings: {
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      role: `arn:aws:iam::${ACCOUNT}:role/r`,
      description: over.description ?? '',
      timeoutSec: 3,
      memoryMb: 128,
      ephemeralStorageMb: 512,
      environment: null,
      architectures: ['x86_64'],
      loggingConfig: { logFormat: 'Text', logGroup: `/aws/lambda/${name}` },
      tracingMode: 'PassThrough',
    },
    code: { sha256Hex: sha, sha256Base64: Buffer.from(sha, 'hex').toString('base64'), size: over.size ?? 100 },
    status: { state: 'Pending', stateReason: 'The function is being created.', stateReasonCode: 'Creating' },
    revisionId: over.revisionId ?? `rev-${name}-1`,
    lastModified: 1_700_000_000_000,
    tags: { team: 'x' },
    runtimeVersionHash: 'f'.repeat(64),
  };
}

const key = (name: string, accountId = ACCOUNT, region = REGION) => ({ accountId, region, name });

// One database for the file (creating SQLite files is the slow part); each test starts from an empty table.
let dir: string;
let file: string;
let db: Db;
let repo: SqliteFunctionRepository;

before(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-repo-'));
  file = path.join(dir, 'data', 'nimbus.db');
  db = openDatabase(file);
  repo = new SqliteFunctionRepository(db);
});

beforeEach(() => {
  if (!db.open) {
    db = openDatabase(file);
    repo = new SqliteFunctionRepository(db);
  }
  db.exec('DELETE FROM functions');
});

after(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteFunctionRepository', () => {
  it('insert then get returns an equal record', () => {
    const r = record('f1');
    assert.equal(repo.insert(r), true);
    assert.deepEqual(repo.get(key('f1')), r);
  });

  it('get of a missing function is undefined', () => {
    assert.equal(repo.get(key('nope')), undefined);
  });

  it('a duplicate insert returns false and keeps the original', () => {
    repo.insert(record('f1', { description: 'first' }));
    assert.equal(repo.insert(record('f1', { description: 'second' })), false);
    assert.equal(repo.get(key('f1'))?.settings.description, 'first');
  });

  it('the key is account + region + name', () => {
    assert.equal(repo.insert(record('f')), true);
    assert.equal(repo.insert(record('f', { region: 'eu-west-1' })), true);
    assert.equal(repo.insert(record('f', { accountId: '210987654321' })), true);
    assert.equal(repo.get(key('f', ACCOUNT, 'eu-west-1'))?.region, 'eu-west-1');
    assert.equal(repo.get(key('f', '210987654321'))?.accountId, '210987654321');
    assert.equal(repo.all().length, 3);
  });

  it('replace succeeds only with the current revision id', () => {
    repo.insert(record('f1', { revisionId: 'r1' }));
    const updated = record('f1', { revisionId: 'r2', description: 'updated', sha: 'b'.repeat(64) });
    assert.equal(repo.replace(updated, 'stale'), false);
    assert.equal(repo.get(key('f1'))?.revisionId, 'r1');
    assert.equal(repo.replace(updated, 'r1'), true);
    assert.deepEqual(repo.get(key('f1')), updated);
    // The old revision no longer matches.
    assert.equal(repo.replace(record('f1', { revisionId: 'r3' }), 'r1'), false);
    assert.equal(repo.replace(record('f1', { revisionId: 'r3' }), 'r2'), true);
  });

  it('replace of a missing function is false and creates nothing', () => {
    assert.equal(repo.replace(record('ghost', { revisionId: 'r2' }), 'r1'), false);
    assert.equal(repo.get(key('ghost')), undefined);
  });

  it('replace moves the code reference to the new code', () => {
    repo.insert(record('f1', { revisionId: 'r1', sha: 'a'.repeat(64) }));
    repo.replace(record('f1', { revisionId: 'r2', sha: 'b'.repeat(64) }), 'r1');
    assert.equal(repo.countByCode('a'.repeat(64)), 0);
    assert.equal(repo.countByCode('b'.repeat(64)), 1);
  });

  it('delete removes the function once', () => {
    repo.insert(record('f1'));
    assert.equal(repo.delete(key('f1')), true);
    assert.equal(repo.get(key('f1')), undefined);
    assert.equal(repo.delete(key('f1')), false);
    assert.equal(repo.insert(record('f1')), true, 'the name can be reused');
  });

  it('list pages in name order with nextAfter', () => {
    for (const name of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) repo.insert(record(name));
    repo.insert(record('zulu', { region: 'eu-west-1' }));
    const p1 = repo.list(ACCOUNT, REGION, undefined, 2);
    assert.deepEqual(p1.items.map((r) => r.name), ['alpha', 'bravo']);
    assert.equal(p1.nextAfter, 'bravo');
    const p2 = repo.list(ACCOUNT, REGION, p1.nextAfter, 2);
    assert.deepEqual(p2.items.map((r) => r.name), ['charlie', 'delta']);
    assert.equal(p2.nextAfter, 'delta');
    const p3 = repo.list(ACCOUNT, REGION, p2.nextAfter, 2);
    assert.deepEqual(p3.items.map((r) => r.name), ['echo']);
    assert.equal(Object.hasOwn(p3, 'nextAfter'), false, 'no marker on the last page');
  });

  it('list: a page that exactly reaches the end has no nextAfter', () => {
    for (const name of ['a', 'b']) repo.insert(record(name));
    const page = repo.list(ACCOUNT, REGION, undefined, 2);
    assert.deepEqual(page.items.map((r) => r.name), ['a', 'b']);
    assert.equal(page.nextAfter, undefined);
  });

  it('list of an empty region or account is empty', () => {
    repo.insert(record('f'));
    assert.deepEqual(repo.list(ACCOUNT, 'ap-south-1', undefined, 50), { items: [] });
    assert.deepEqual(repo.list('000000000000', REGION, undefined, 50), { items: [] });
  });

  it('list continues after a name that no longer exists', () => {
    for (const name of ['a', 'b', 'c']) repo.insert(record(name));
    repo.delete(key('b'));
    assert.deepEqual(repo.list(ACCOUNT, REGION, 'b', 10).items.map((r) => r.name), ['c']);
  });

  it('totals count functions and sum code sizes per account and region', () => {
    assert.deepEqual(repo.totals(ACCOUNT, REGION), { functionCount: 0, totalCodeSize: 0 });
    repo.insert(record('a', { size: 100 }));
    repo.insert(record('b', { size: 250 }));
    repo.insert(record('c', { size: 999, region: 'eu-west-1' }));
    assert.deepEqual(repo.totals(ACCOUNT, REGION), { functionCount: 2, totalCodeSize: 350 });
    assert.deepEqual(repo.totals(ACCOUNT, 'eu-west-1'), { functionCount: 1, totalCodeSize: 999 });
  });

  it('countByCode counts functions sharing a code blob', () => {
    const shared = 'c'.repeat(64);
    repo.insert(record('a', { sha: shared }));
    repo.insert(record('b', { sha: shared, region: 'eu-west-1' }));
    repo.insert(record('c', { sha: 'd'.repeat(64) }));
    assert.equal(repo.countByCode(shared), 2);
    assert.equal(repo.countByCode('d'.repeat(64)), 1);
    assert.equal(repo.countByCode('e'.repeat(64)), 0);
    repo.delete(key('a'));
    assert.equal(repo.countByCode(shared), 1);
  });

  it('all() returns every function of every account and region', () => {
    repo.insert(record('a'));
    repo.insert(record('b', { region: 'eu-west-1' }));
    assert.deepEqual(repo.all().map((r) => `${r.region}/${r.name}`).sort(), ['eu-west-1/b', 'us-east-1/a']);
  });

  it('data survives closing and reopening the file; migrations are applied once', () => {
    const r = record('persisted', { revisionId: 'r1' });
    repo.insert(r);
    db.close();

    db = openDatabase(file);
    repo = new SqliteFunctionRepository(db);
    assert.deepEqual(repo.get(key('persisted')), r);
    assert.equal(repo.replace(record('persisted', { revisionId: 'r2' }), 'r1'), true);
    db.close();

    db = openDatabase(file);
    repo = new SqliteFunctionRepository(db);
    assert.equal(repo.get(key('persisted'))?.revisionId, 'r2');
    const versions = db.prepare('SELECT version FROM schema_version').all() as Array<{ version: number }>;
    assert.equal(versions.length, 1, 'one schema_version row');
    assert.ok((versions[0]?.version ?? 0) >= 1);
  });

  it('opens the database in WAL mode', () => {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  });
});

function version(of: FunctionRecord, n: number, revisionId = `rev-${of.name}-v${n}`): VersionRecord {
  return { ...of, tags: {}, version: String(n), revisionId, status: { state: 'Active', lastUpdateStatus: 'Successful' }, sourceFingerprint: `fp-${n}` };
}

function alias(functionName: string, name: string, functionVersion: string, revisionId = `rev-${name}`): AliasRecord {
  return { accountId: ACCOUNT, region: REGION, functionName, name, functionVersion, description: '', revisionId };
}

describe('SqliteFunctionRepository: versions and aliases', () => {
  it('publish stores the version and replaces $LATEST in one transaction, only if $LATEST is unchanged', () => {
    const f = record('pub');
    repo.insert(f);
    const next = { ...f, revisionId: 'rev-pub-2', lastPublishedVersion: 1 };
    assert.equal(repo.publish(next, 'stale-revision', version(f, 1)), false);
    assert.equal(repo.getVersion(key('pub'), '1'), undefined, 'no version without the $LATEST change');
    assert.equal(repo.get(key('pub'))?.revisionId, f.revisionId);

    assert.equal(repo.publish(next, f.revisionId, version(f, 1)), true);
    assert.equal(repo.get(key('pub'))?.lastPublishedVersion, 1);
    assert.deepEqual(repo.getVersion(key('pub'), '1'), version(f, 1));
    assert.deepEqual(repo.newestVersion(key('pub')), version(f, 1));
  });

  it('a failed publish transaction leaves neither the version nor a stale cached $LATEST behind', () => {
    const f = record('pubfail');
    repo.insert(f);
    assert.equal(repo.publish({ ...f, revisionId: 'r2' }, f.revisionId, version(f, 1)), true);
    // Version 1 exists: publishing it again must roll back the $LATEST update as well.
    assert.throws(() => repo.publish({ ...f, revisionId: 'r3' }, 'r2', version(f, 1, 'other')));
    assert.equal(repo.get(key('pubfail'))?.revisionId, 'r2');
    assert.equal(repo.getVersion(key('pubfail'), '1')?.revisionId, `rev-pubfail-v1`);
  });

  it('lists versions in ascending order with paging; replaceVersion is conditional; deleteVersion removes one', () => {
    const f = record('list');
    repo.insert(f);
    for (const n of [1, 2, 3]) repo.publish({ ...f, revisionId: `l${n}` }, n === 1 ? f.revisionId : `l${n - 1}`, version(f, n));
    const first = repo.listVersions(key('list'), 0, 2);
    assert.deepEqual(first.items.map((v) => v.version), ['1', '2']);
    assert.equal(first.more, true);
    const rest = repo.listVersions(key('list'), 2, 2);
    assert.deepEqual(rest.items.map((v) => v.version), ['3']);
    assert.equal(rest.more, false);

    const v2 = version(f, 2);
    assert.equal(repo.replaceVersion({ ...v2, revisionId: 'x' }, 'wrong'), false);
    assert.equal(repo.replaceVersion({ ...v2, revisionId: 'x' }, v2.revisionId), true);
    assert.equal(repo.getVersion(key('list'), '2')?.revisionId, 'x');
    assert.equal(repo.deleteVersion(key('list'), '2'), true);
    assert.equal(repo.getVersion(key('list'), '2'), undefined);
    assert.deepEqual(repo.listVersions(key('list'), 0, 10).items.map((v) => v.version), ['1', '3']);
  });

  it('aliases: unique per function, conditional replace, filter by version, paging by name', () => {
    repo.insert(record('al'));
    assert.equal(repo.insertAlias(alias('al', 'b', '1')), true);
    assert.equal(repo.insertAlias(alias('al', 'a', '2')), true);
    assert.equal(repo.insertAlias(alias('al', 'c', '1')), true);
    assert.equal(repo.insertAlias(alias('al', 'a', '1')), false, 'names are unique');
    assert.deepEqual(repo.listAliases(key('al'), undefined, undefined, 2).items.map((a) => a.name), ['a', 'b']);
    assert.equal(repo.listAliases(key('al'), undefined, undefined, 2).more, true);
    assert.deepEqual(repo.listAliases(key('al'), undefined, 'b', 2).items.map((a) => a.name), ['c']);
    assert.deepEqual(repo.listAliases(key('al'), '1', undefined, 10).items.map((a) => a.name), ['b', 'c']);
    assert.equal(repo.replaceAlias({ ...alias('al', 'b', '2'), revisionId: 'n' }, 'wrong'), false);
    assert.equal(repo.replaceAlias({ ...alias('al', 'b', '2'), revisionId: 'n' }, 'rev-b'), true);
    assert.equal(repo.getAlias(key('al'), 'b')?.functionVersion, '2');
    assert.equal(repo.deleteAlias(key('al'), 'b'), true);
    assert.equal(repo.getAlias(key('al'), 'b'), undefined);
  });

  it('deleting a function deletes its versions and aliases; a new function of that name starts empty', () => {
    const f = record('cascade', { sha: 'c'.repeat(64), size: 10 });
    assert.equal(repo.insertWithVersion({ ...f, lastPublishedVersion: 1 }, version(f, 1)), true);
    repo.insertAlias(alias('cascade', 'live', '1'));
    assert.equal(repo.countByCode('c'.repeat(64)), 2, 'the version references the code too');
    assert.equal(repo.totals(ACCOUNT, REGION).totalCodeSize >= 20, true, 'versions count towards TotalCodeSize');
    assert.equal(repo.insertWithVersion(f, version(f, 1)), false, 'the function exists');

    repo.delete(key('cascade'));
    assert.equal(repo.countByCode('c'.repeat(64)), 0);
    repo.insert(f);
    assert.equal(repo.getVersion(key('cascade'), '1'), undefined);
    assert.equal(repo.getAlias(key('cascade'), 'live'), undefined);
    assert.deepEqual(repo.allVersions().filter((v) => v.name === 'cascade'), []);
  });
});
