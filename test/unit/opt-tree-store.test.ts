// Unit tests for store/opt-tree-store.ts: mergeTrees (later trees win path by path, directories merge, files are
// hard links, symlinks are recreated and never written through) and OptTreeStore (one layer is its extracted
// tree, several are merged once under opt/<key>, start-up collection keeps only the trees in use).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { CodeStore } from '../../src/store/code-store.js';
import { mergeTrees, OptTreeStore } from '../../src/store/opt-tree-store.js';
import { makeZip } from '../helpers/zip.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'nimbus-opt-'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a tree: a string is a file, `{ link }` a symlink, `{}` an empty directory. */
async function tree(name: string, entries: Record<string, string | { link: string } | Record<string, never>>): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  for (const [rel, spec] of Object.entries(entries)) {
    const abs = path.join(dir, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    if (typeof spec === 'string') await writeFile(abs, spec);
    else if ('link' in spec) await symlink(spec.link, abs);
    else await mkdir(abs, { recursive: true });
  }
  return dir;
}

const read = (dir: string, rel: string): Promise<string> => readFile(path.join(dir, rel), 'utf8');

describe('mergeTrees', () => {
  it('merges directories and lets a later tree replace files, links and whole directories', async () => {
    const a = await tree('a', {
      'nodejs/node_modules/lib/index.js': 'a', 'nodejs/node_modules/only-a/index.js': 'only a', 'bin/tool': 'a tool',
      'conf': 'a file', 'data/x': 'dir in a', 'link': { link: 'bin/tool' },
    });
    const b = await tree('b', {
      'nodejs/node_modules/lib/index.js': 'b', 'bin': {}, 'conf/inside': 'b made conf a directory', 'data': 'b made data a file', 'link': 'b file',
    });
    const out = path.join(root, 'out');
    await mergeTrees([a, b], out);
    assert.equal(await read(out, 'nodejs/node_modules/lib/index.js'), 'b');
    assert.equal(await read(out, 'nodejs/node_modules/only-a/index.js'), 'only a');
    assert.equal(await read(out, 'bin/tool'), 'a tool', 'an empty directory of b does not remove a\'s files');
    assert.equal(await read(out, 'conf/inside'), 'b made conf a directory');
    assert.equal(await read(out, 'data'), 'b made data a file');
    assert.equal((await lstat(path.join(out, 'link'))).isSymbolicLink(), false);
    assert.equal(await read(out, 'link'), 'b file');
    assert.equal(((await stat(out)).mode & 0o777), 0o755);
  });

  it('hard-links files and recreates symlinks as they are', async () => {
    const a = await tree('a', { 'lib/real.so': 'so', 'lib/alias.so': { link: 'real.so' } });
    const out = path.join(root, 'out');
    await mergeTrees([a], out);
    assert.equal((await stat(path.join(out, 'lib/real.so'))).ino, (await stat(path.join(a, 'lib/real.so'))).ino);
    assert.equal(await readlink(path.join(out, 'lib/alias.so')), 'real.so');
  });

  it('never writes through a link: a later directory replaces an earlier link to elsewhere', async () => {
    const outside = await tree('outside', {});
    const a = await tree('a', { lib: { link: outside } });
    const b = await tree('b', { 'lib/x': 'x' });
    const out = path.join(root, 'out');
    await mergeTrees([a, b], out);
    assert.deepEqual(await readdir(outside), []);
    assert.equal((await lstat(path.join(out, 'lib'))).isDirectory(), true);
    assert.equal(await read(out, 'lib/x'), 'x');
  });
});

describe('OptTreeStore', () => {
  const layer = (content: Record<string, string>): Promise<Buffer> => makeZip(content);

  it('uses a single layer\'s extracted tree, merges several once, and collects the trees no function needs', async () => {
    const code = new CodeStore(root, { maxUnzippedBytes: 1024 * 1024 });
    const trees = new OptTreeStore(root, code);
    const a = (await code.put(await layer({ 'python/m.py': 'A = 1\n', 'shared.txt': 'a' }))).sha256Hex;
    const b = (await code.put(await layer({ 'shared.txt': 'b' }))).sha256Hex;

    assert.equal(await trees.ensure([a]), code.codeDir(a));
    const ab = await trees.ensure([a, b]);
    assert.equal(path.dirname(ab), path.join(root, 'opt'));
    assert.equal(await read(ab, 'shared.txt'), 'b');
    assert.equal(await read(ab, 'python/m.py'), 'A = 1\n');
    assert.equal(await trees.ensure([a, b]), ab, 'the same ordered list is the same tree');
    const ba = await trees.ensure([b, a]);
    assert.notEqual(ba, ab);
    assert.equal(await read(ba, 'shared.txt'), 'a', 'order decides');
    assert.deepEqual(await readdir(path.join(root, 'tmp')), [], 'no work directories left');

    const fresh = new OptTreeStore(root, code); // start-up: a new server on the same data directory
    assert.equal(await fresh.collect([[a, b], [a]]), 1);
    assert.ok(existsSync(ab));
    assert.ok(!existsSync(ba));
  });
});
