import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NimbusError } from '../../src/shared/errors.js';
import { extractZip, ZipRejected, type ZipRejectionKind } from '../../src/store/zip-extract.js';
import { makeRawZip, makeZip, rawSymlink, zipDirectory, type RawZipEntry } from '../helpers/zip.js';

const MB = 1024 * 1024;
const opts = { maxUnzippedBytes: 10 * MB };

let sandbox: string;
let dest: string;

beforeEach(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'nimbus-zip-'));
  dest = path.join(sandbox, 'out');
});

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

const modeOf = async (rel: string): Promise<number> => (await stat(path.join(dest, rel))).mode & 0o7777;

/** Expects a refusal, then checks that nothing at all is left in the sandbox except `keep`. */
async function expectRejected(zip: Buffer, kind: ZipRejectionKind, keep: string[] = [], max = opts.maxUnzippedBytes) {
  await assert.rejects(extractZip(zip, dest, { maxUnzippedBytes: max }), (err: unknown) => {
    assert.ok(err instanceof ZipRejected, `expected ZipRejected, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.equal(err.code, 'ERR_ZIP');
    assert.equal(err.user, true);
    return true;
  });
  assert.deepEqual((await readdir(sandbox)).sort(), keep.sort());
}

describe('extractZip: well-formed packages', () => {
  it('extracts nested files and keeps permission bits, minus setuid', async () => {
    const zip = await makeZip({
      bootstrap: { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
      'index.mjs': 'export const handler = async () => 1;\n',
      'lib/a/b.txt': 'deep',
      'private.txt': { content: 'secret', mode: 0o600 },
      suid: { content: 'x', mode: 0o4755 },
      'empty/': '',
    });
    const result = await extractZip(zip, dest, opts);
    assert.deepEqual(result, { files: 5, unzippedBytes: 18 + 38 + 4 + 6 + 1 });
    assert.equal(await readFile(path.join(dest, 'lib/a/b.txt'), 'utf8'), 'deep');
    assert.equal(await modeOf('bootstrap'), 0o755);
    assert.equal(await modeOf('index.mjs'), 0o644);
    assert.equal(await modeOf('private.txt'), 0o600);
    assert.equal(await modeOf('suid'), 0o755);
    assert.ok((await stat(path.join(dest, 'empty'))).isDirectory());
    assert.equal(await modeOf('lib/a'), 0o755);
  });

  it('uses 0644 / 0755 when the archive carries no unix attributes', async () => {
    const zip = makeRawZip([
      { name: 'plain.txt', data: 'x', mode: 0 },
      { name: 'dir/', mode: 0 },
    ]);
    await extractZip(zip, dest, opts);
    assert.equal(await modeOf('plain.txt'), 0o644);
    assert.equal(await modeOf('dir'), 0o755);
  });

  it('round-trips a directory with an executable and a symlink', async () => {
    const src = path.join(sandbox, 'src');
    await mkdir(path.join(src, 'bin'), { recursive: true });
    await writeFile(path.join(src, 'bin', 'tool'), 'run');
    await chmod(path.join(src, 'bin', 'tool'), 0o750);
    await symlink('bin/tool', path.join(src, 'tool'));
    const zip = await zipDirectory(src);
    await extractZip(zip, dest, opts);
    assert.equal(await modeOf('bin/tool'), 0o750);
    assert.equal(await readlink(path.join(dest, 'tool')), 'bin/tool');
    assert.equal(await readFile(path.join(dest, 'tool'), 'utf8'), 'run');
  });

  it('allows symlinks that stay inside the package', async () => {
    const link = 0o120777;
    const zip = await makeZip({
      'lib/libfoo.so.1': 'elf',
      'lib/libfoo.so': { content: 'libfoo.so.1', mode: link },
      current: { content: 'lib', mode: link },
      self: { content: '.', mode: link },
      'lib/up': { content: '../lib/./libfoo.so', mode: link },
    });
    const result = await extractZip(zip, dest, opts);
    assert.equal(result.files, 5);
    assert.equal(await readlink(path.join(dest, 'lib/libfoo.so')), 'libfoo.so.1');
    assert.equal(await readFile(path.join(dest, 'current/libfoo.so'), 'utf8'), 'elf');
    assert.equal(await readFile(path.join(dest, 'lib/up'), 'utf8'), 'elf');
  });

  it('accepts an empty zip and yields an empty directory', async () => {
    const result = await extractZip(await makeZip({}), dest, opts);
    assert.deepEqual(result, { files: 0, unzippedBytes: 0 });
    assert.deepEqual(await readdir(dest), []);
  });

  it('lets the later of two duplicate entries win', async () => {
    const zip = makeRawZip([
      { name: 'x', data: 'first' },
      { name: './x', data: 'second' },
    ]);
    assert.deepEqual(await extractZip(zip, dest, opts), { files: 1, unzippedBytes: 6 });
    assert.equal(await readFile(path.join(dest, 'x'), 'utf8'), 'second');
  });

  it('accepts a package of exactly the maximum size', async () => {
    const zip = await makeZip({ a: Buffer.alloc(600), b: Buffer.alloc(400) });
    assert.deepEqual(await extractZip(zip, dest, { maxUnzippedBytes: 1000 }), { files: 2, unzippedBytes: 1000 });
  });

  it('refuses a non-empty target without touching it', async () => {
    await mkdir(dest);
    await writeFile(path.join(dest, 'keep'), 'mine');
    await assert.rejects(extractZip(await makeZip({ a: 'b' }), dest, opts), (err: unknown) => {
      assert.ok(err instanceof NimbusError && !(err instanceof ZipRejected));
      assert.equal(err.code, 'ERR_INTERNAL');
      return true;
    });
    assert.deepEqual(await readdir(dest), ['keep']);
  });
});

describe('extractZip: corrupt input', () => {
  it('refuses random bytes, text, an empty buffer and a truncated zip', async () => {
    const valid = await makeZip({ 'a.txt': 'hello'.repeat(100) });
    for (const zip of [randomBytes(2048), Buffer.from('not a zip'), Buffer.alloc(0), valid.subarray(0, valid.length - 10)]) {
      await expectRejected(zip, 'corrupt');
    }
  });

  it('refuses garbled deflate data and unsupported compression', async () => {
    const garbled = makeRawZip([{ name: 'a.txt', data: 'hello world '.repeat(50) }]);
    garbled.fill(0xff, 30 + 'a.txt'.length, 30 + 'a.txt'.length + 8);
    await expectRejected(garbled, 'corrupt');
    await expectRejected(makeRawZip([{ name: 'a.bz2', data: 'x', method: 12 }]), 'corrupt');
  });

  it('refuses a path that is both a file and a directory', async () => {
    await expectRejected(makeRawZip([{ name: 'a', data: 'file' }, { name: 'a/b', data: 'x' }]), 'unsafe-path');
  });
});

describe('extractZip: unsafe paths', () => {
  const absolute = `/nimbus-zip-test-${randomBytes(6).toString('hex')}`;
  const names = [
    '../evil',
    'a/../../evil',
    '..\\evil',
    'a\\..\\..\\evil',
    absolute,
    'C:\\evil',
    'C:/evil',
    '\\\\server\\share\\evil',
    'ok\u0000evil',
  ];
  for (const name of names) {
    it(`refuses ${JSON.stringify(name)}`, async () => {
      await expectRejected(makeRawZip([{ name: 'fine.txt', data: 'ok' }, { name, data: 'pwned' }]), 'unsafe-path');
      assert.equal(existsSync(absolute), false);
    });
  }
});

describe('extractZip: symlinks', () => {
  const outside = (): string => path.join(sandbox, 'outside');

  for (const target of ['/etc/passwd', '../../etc', '../outside', '..\\..\\etc', 'C:\\Windows']) {
    it(`refuses a link to ${JSON.stringify(target)}`, async () => {
      await expectRejected(makeRawZip([rawSymlink('link', target)]), 'unsafe-symlink');
    });
  }

  it('refuses a link that escapes only by going through other links', async () => {
    const chain: RawZipEntry[] = [{ name: 'd/' }, rawSymlink('d/e', '..'), rawSymlink('l1', 'd/e')];
    await expectRejected(makeRawZip([...chain, rawSymlink('l2', 'l1/..')]), 'unsafe-symlink');
    await extractZip(makeRawZip(chain), dest, opts); // the same links without l2 are fine
  });

  it('refuses link loops', async () => {
    await expectRejected(makeRawZip([rawSymlink('a', 'b'), rawSymlink('b', 'a/x')]), 'unsafe-symlink');
  });

  const writeThrough: Record<string, RawZipEntry[]> = {
    'a file under an escaping link': [rawSymlink('link', '../outside'), { name: 'link/evil', data: 'pwned' }],
    'a file under an inside link': [{ name: 'sub/' }, rawSymlink('link', 'sub'), { name: 'link/evil', data: 'x' }],
    'a file before the link it goes through': [{ name: 'link/evil', data: 'pwned' }, rawSymlink('link', '../outside')],
    'a link under a link': [rawSymlink('a', '../outside'), rawSymlink('a/b', 'x')],
    'a file and a link with one name': [{ name: 'x', data: 'file' }, rawSymlink('x', '../outside/x')],
  };
  for (const [title, entries] of Object.entries(writeThrough)) {
    it(`refuses ${title}`, async () => {
      await mkdir(outside());
      await expectRejected(makeRawZip(entries), 'unsafe-symlink', ['outside']);
      assert.deepEqual(await readdir(outside()), []);
    });
  }
});

describe('extractZip: zip bombs', () => {
  it('refuses declared sizes above the maximum before writing anything', async () => {
    await expectRejected(makeRawZip([{ name: 'big', data: 'x', declaredSize: 0xfffffff0 }]), 'unzipped-too-large');
    const twoHalves = await makeZip({ a: Buffer.alloc(600 * 1024), b: Buffer.alloc(600 * 1024) });
    await expectRejected(twoHalves, 'unzipped-too-large', [], MB);
  });

  it('stops a deflated entry that inflates beyond its declared size', async () => {
    const bomb = makeRawZip([{ name: 'bomb', data: Buffer.alloc(10 * MB), declaredSize: 1000 }]);
    assert.ok(bomb.length < 64 * 1024);
    await expectRejected(bomb, 'corrupt', [], MB);
  });

  it('refuses entries shorter than declared, and stored entries whose sizes disagree', async () => {
    await expectRejected(makeRawZip([{ name: 'short', data: 'abc', declaredSize: 100 }]), 'corrupt');
    await expectRejected(makeRawZip([{ name: 'stored', data: 'abc', method: 0, declaredSize: 2 }]), 'corrupt');
  });
});
