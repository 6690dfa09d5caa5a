// Unit tests for store/layer-repository.ts on a temp SQLite file: version numbers count up per layer and are never
// reused (not even after every version was deleted, nor across reopening), listings are newest first, and a
// policy change applies only while the policy revision is the expected one.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LayerVersionRecord } from '../../src/model/layer.js';
import { type LayerKey, SqliteLayerRepository } from '../../src/store/layer-repository.js';
import { type Db, openDatabase } from '../../src/store/sqlite.js';

const key = (layerName: string): LayerKey => ({ accountId: '123456789012', region: 'us-east-1', layerName });

function build(k: LayerKey, sha: string): (version: number) => LayerVersionRecord {
  return (version) => ({
    ...k, version, description: '', code: { sha256Hex: sha, sha256Base64: Buffer.from(sha, 'hex').toString('base64'), size: 10 },
    createdDate: 1_700_000_000_000, statements: [],
  });
}

describe('SqliteLayerRepository', () => {
  let dir: string;
  let db: Db;
  let repo: SqliteLayerRepository;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-layers-'));
    db = openDatabase(path.join(dir, 'nimbus.db'));
    repo = new SqliteLayerRepository(db);
  });
  after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers versions per layer from 1 and never hands a number out twice', () => {
    assert.equal(repo.publish(key('a'), build(key('a'), 'a'.repeat(64))).version, 1);
    assert.equal(repo.publish(key('a'), build(key('a'), 'b'.repeat(64))).version, 2);
    assert.equal(repo.publish(key('other'), build(key('other'), 'a'.repeat(64))).version, 1);
    assert.deepEqual(repo.versions(key('a')).map((r) => r.version), [2, 1]);
    assert.equal(repo.delete(key('a'), 1), true);
    assert.equal(repo.delete(key('a'), 2), true);
    assert.equal(repo.delete(key('a'), 2), false);
    assert.deepEqual(repo.versions(key('a')), []);
    assert.equal(repo.publish(key('a'), build(key('a'), 'c'.repeat(64))).version, 3);
    db.close();
    db = openDatabase(path.join(dir, 'nimbus.db'));
    repo = new SqliteLayerRepository(db);
    assert.equal(repo.publish(key('a'), build(key('a'), 'c'.repeat(64))).version, 4, 'the counter survives reopening');
    assert.deepEqual(repo.inRegion('123456789012', 'us-east-1').map((r) => `${r.layerName}:${r.version}`), ['a:4', 'a:3', 'other:1']);
    assert.deepEqual(repo.codeShas().sort(), ['a'.repeat(64), 'c'.repeat(64)]);
  });

  it('replaces a version\'s policy only while its revision is the expected one', () => {
    const current = repo.publish(key('p'), build(key('p'), 'd'.repeat(64)));
    const first = { ...current, statements: [{ sid: 's1', action: 'lambda:GetLayerVersion', principal: '*' }], policyRevisionId: 'r1' };
    assert.equal(repo.replace(first, 'stale'), false);
    assert.equal(repo.replace(first, undefined), true);
    assert.equal(repo.replace({ ...first, policyRevisionId: 'r2' }, undefined), false);
    assert.equal(repo.replace({ ...first, policyRevisionId: 'r2' }, 'r1'), true);
    assert.equal(repo.get(key('p'), 1)?.policyRevisionId, 'r2');
  });
});
