// Zips a function directory into a deployment package in memory, for `nimbus deploy`. Owns what goes into the
// zip and the progress report; it does not talk to the server.
//
// Choices, documented in `nimbus deploy --help` too:
// - Unix modes and mtimes are kept (an executable `bootstrap` stays executable); entries are sorted, so an
//   unchanged directory zips to the same CodeSha256.
// - `.git` directories and `node_modules/.cache` are skipped.
// - A symlink whose target stays inside the directory is stored as a symlink (like `zip -y`), so pnpm-style
//   `node_modules` layouts survive. A symlink pointing outside is followed and its content stored, because a link
//   leaving the package would dangle in the function (and the server refuses such packages).
// - Zipping stops as soon as the package passes `limitBytes`.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { ZipFile } from 'yazl';

export interface PackageEntry {
  readonly kind: 'dir' | 'file' | 'symlink';
  /** Name inside the zip, `/`-separated. */
  readonly name: string;
  /** File to read (kind `file`) or link target (kind `symlink`). */
  readonly source: string;
  readonly mode: number;
  readonly mtime: Date;
  readonly size: number;
}

export class PackageTooLarge extends Error {}

const SKIPPED = [/(^|\/)\.git$/, /(^|\/)node_modules\/\.cache$/];

function inside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Lists what the zip will hold. Cycles through followed links are refused rather than walked forever. */
export async function planPackage(dir: string): Promise<PackageEntry[]> {
  const root = await realpath(dir);
  const entries: PackageEntry[] = [];
  const walk = async (absDir: string, prefix: string, chain: readonly string[]): Promise<void> => {
    for (const name of (await readdir(absDir)).sort()) {
      const rel = prefix === '' ? name : `${prefix}/${name}`;
      if (SKIPPED.some((re) => re.test(rel))) continue;
      const abs = path.join(absDir, name);
      let st = await lstat(abs);
      if (st.isSymbolicLink()) {
        const target = await readlink(abs);
        const resolved = await realpath(abs).catch(() => undefined);
        const lexical = path.resolve(absDir, target);
        const staysInside = !path.isAbsolute(target) && inside(root, lexical);
        if (staysInside && (resolved === undefined || inside(root, resolved))) {
          entries.push({ kind: 'symlink', name: rel, source: target, mode: st.mode, mtime: st.mtime, size: 0 });
          continue;
        }
        if (resolved === undefined) throw new Error(`symlink ${rel} -> ${target} points outside the directory and its target does not exist`);
        st = await stat(abs);
        if (st.isDirectory() && chain.includes(resolved)) throw new Error(`symlink loop at ${rel} -> ${target}`);
        if (st.isDirectory()) {
          entries.push({ kind: 'dir', name: rel, source: abs, mode: st.mode, mtime: st.mtime, size: 0 });
          await walk(abs, rel, [...chain, resolved]);
          continue;
        }
      }
      if (st.isDirectory()) {
        entries.push({ kind: 'dir', name: rel, source: abs, mode: st.mode, mtime: st.mtime, size: 0 });
        await walk(abs, rel, [...chain, await realpath(abs)]);
      } else if (st.isFile()) {
        entries.push({ kind: 'file', name: rel, source: abs, mode: st.mode, mtime: st.mtime, size: st.size });
      }
      // Sockets, FIFOs and devices cannot be part of a package: skipped.
    }
  };
  await walk(root, '', [root]);
  return entries;
}

/** Zips `entries`, calling `onProgress(bytesRead, totalBytes)` as file data is consumed. */
export function zipPackage(
  entries: readonly PackageEntry[],
  options: { limitBytes: number; onProgress?: (done: number, total: number) => void },
): Promise<Buffer> {
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  let done = 0;
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.kind === 'dir') {
      zip.addEmptyDirectory(e.name, { mode: e.mode, mtime: e.mtime });
    } else if (e.kind === 'symlink') {
      zip.addBuffer(Buffer.from(e.source), e.name, { mode: e.mode, mtime: e.mtime, compress: false });
    } else {
      zip.addReadStreamLazy(e.name, { mode: e.mode, mtime: e.mtime, size: e.size }, (cb) => {
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            done += chunk.length;
            options.onProgress?.(done, total);
            callback(null, chunk);
          },
        });
        // yazl does not watch its input for errors: report a read failure (file vanished, EACCES) ourselves.
        pipeline(createReadStream(e.source), counter, (err) => {
          if (err) zip.emit('error', new Error(`cannot read ${e.name}: ${err.message}`));
        });
        cb(null, counter);
      });
    }
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const output = zip.outputStream as NodeJS.ReadableStream & { destroy(): void };
    zip.on('error', reject);
    output.on('error', reject);
    output.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.limitBytes) {
        output.destroy();
        reject(new PackageTooLarge(`package passed ${options.limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    output.on('end', () => resolve(Buffer.concat(chunks, size)));
  });
}
