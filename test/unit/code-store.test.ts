import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NimbusError } from '../../src/shared/errors.js';
import { CodeStore } from '../../src/store/code-store.js';
import { ZipRejected } from '../../src/store/zip-extract.js';
import { makeZip } from '../helpers/zip.js';

const opts = { maxUnzippedBytes: 1024 * 1024 };

let root: string;
let store: CodeStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nimbus-code-'));
  store = new CodeStore(root, opts);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const handlerZip = (body = 'export const handler = async () => "ok";\n'): Promise<Buffer> =>
  makeZip({ 'index.mjs': body, bootstrap: { content: '#!/bin/sh\n', mode: 0o755 } });

async function assertNoLeftovers(): Promise<void> {
  const tmp = path.join(root, 'tmp');
  assert.deepEqual(existsSync(tmp) ? await readdir(tmp) : [], []);
}

describe('CodeStore', () => {
  it('stores the blob and the extracted tree under the SHA-256 of the zip', async () => {
    const zip = await handlerZip();
    const stored = await store.put(zip);
    const digest = createHash('sha256').update(zip).digest();
    assert.deepEqual(stored, {
      sha256Hex: digest.toString('hex'),
      sha256Base64: digest.toString('base64'),
      size: zip.length,
      zipPath: path.join(root, 'blobs', `${digest.toString('hex')}.zip`),
    });
    assert.deepEqual(await readFile(stored.zipPath), zip);
    const dir = store.codeDir(stored.sha256Hex);
    assert.equal(dir, path.join(root, 'code', stored.sha256Hex));
    assert.equal((await stat(path.join(dir, 'bootstrap'))).mode & 0o777, 0o755);
    assert.ok(store.has(stored.sha256Hex));
    await assertNoLeftovers();
  });

  it('returns the same result when the same content is put twice', async () => {
    const first = await store.put(await handlerZip());
    const second = await store.put(await handlerZip());
    assert.deepEqual(second, first);
    assert.deepEqual(await readdir(path.join(root, 'code')), [first.sha256Hex]);
  });

  it('survives concurrent puts of one zip, in one store and across two stores on one root', async () => {
    const zip = await handlerZip();
    const other = new CodeStore(root, opts);
    const results = await Promise.all([store.put(zip), store.put(zip), other.put(zip), other.put(zip)]);
    for (const result of results) assert.deepEqual(result, results[0]);
    const hex = results[0]?.sha256Hex ?? '';
    assert.deepEqual((await readdir(store.codeDir(hex))).sort(), ['bootstrap', 'index.mjs']);
    assert.deepEqual(await readdir(path.join(root, 'blobs')), [`${hex}.zip`]);
    await assertNoLeftovers();
  });

  it('commits nothing for a zip it cannot extract', async () => {
    await assert.rejects(store.put(Buffer.from('not a zip')), ZipRejected);
    const big = await makeZip({ big: Buffer.alloc(2 * 1024 * 1024) });
    await assert.rejects(store.put(big), (err: unknown) => err instanceof ZipRejected && err.kind === 'unzipped-too-large');
    assert.equal(existsSync(path.join(root, 'blobs')), false);
    assert.equal(existsSync(path.join(root, 'code')), false);
    await assertNoLeftovers();
  });

  it('re-creates a lost tree from the blob', async () => {
    const { sha256Hex } = await store.put(await handlerZip('lost'));
    await rm(store.codeDir(sha256Hex), { recursive: true });
    const [a, b] = await Promise.all([store.ensureExtracted(sha256Hex), store.ensureExtracted(sha256Hex)]);
    assert.equal(a, store.codeDir(sha256Hex));
    assert.equal(b, a);
    assert.equal(await readFile(path.join(a, 'index.mjs'), 'utf8'), 'lost');
    await assertNoLeftovers();
  });

  it('completes the tree when a put finds only the blob', async () => {
    const zip = await handlerZip();
    const { sha256Hex } = await store.put(zip);
    await rm(store.codeDir(sha256Hex), { recursive: true });
    await store.put(zip);
    assert.ok(existsSync(path.join(store.codeDir(sha256Hex), 'index.mjs')));
  });

  it('refuses to re-extract a missing or damaged blob', async () => {
    const { sha256Hex, zipPath } = await store.put(await handlerZip());
    await rm(store.codeDir(sha256Hex), { recursive: true });
    await writeFile(zipPath, await handlerZip('tampered'));
    await assert.rejects(store.ensureExtracted(sha256Hex), (err: unknown) => err instanceof NimbusError && err.code === 'ERR_STORE');
    await rm(zipPath);
    await assert.rejects(store.ensureExtracted(sha256Hex), (err: unknown) => err instanceof NimbusError && err.code === 'ERR_STORE');
    assert.equal(existsSync(store.codeDir(sha256Hex)), false);
  });

  it('removes blob and tree', async () => {
    const { sha256Hex, zipPath } = await store.put(await handlerZip());
    await store.remove(sha256Hex);
    assert.equal(store.has(sha256Hex), false);
    assert.equal(existsSync(zipPath), false);
    assert.equal(existsSync(store.codeDir(sha256Hex)), false);
    await store.remove(sha256Hex); // idempotent
    await assertNoLeftovers();
  });

  it('rejects a hash that is not 64 hex digits', () => {
    for (const bad of ['../../etc', 'ABC', `${'a'.repeat(64)}/..`]) {
      assert.throws(() => store.codeDir(bad), NimbusError);
      assert.throws(() => store.has(bad), NimbusError);
    }
  });

  it('sweeps leftovers of interrupted work', async () => {
    await store.put(await handlerZip());
    await writeFile(path.join(root, 'tmp', 'stale'), 'x');
    await store.sweepTemp();
    await assertNoLeftovers();
  });
});
