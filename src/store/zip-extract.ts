// Safe extraction of a deployment-package zip into a fresh directory. Owns the rules that keep every write
// inside that directory (paths, symlinks, sizes) and the classification of bad archives; it does not decide
// where packages live (code-store.ts) nor what the API answers (the API maps ZipRejected kinds to AWS messages).
import { constants as fsc } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { fromBuffer, getFileNameLowLevel, type Entry, type ZipFile } from 'yauzl';
import { NimbusError } from '../shared/errors.js';

export type ZipRejectionKind = 'corrupt' | 'unzipped-too-large' | 'unsafe-path' | 'unsafe-symlink';

/** A user's archive that Nimbus will not extract. `kind` picks the AWS message at the API edge. */
export class ZipRejected extends NimbusError {
  readonly kind: ZipRejectionKind;

  constructor(kind: ZipRejectionKind, detail: string, cause?: unknown) {
    super('ERR_ZIP', `${kind}: ${detail}`, { user: true, cause });
    this.name = 'ZipRejected';
    this.kind = kind;
  }
}

export interface ExtractOptions {
  /** Largest total of uncompressed bytes accepted (inclusive). */
  readonly maxUnzippedBytes: number;
}

export interface ExtractResult {
  /** Regular files and symlinks written (directories not counted). */
  readonly files: number;
  readonly unzippedBytes: number;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIR_MODE = 0o755;
// Linux limits: NAME_MAX per component, PATH_MAX per path; checked up front so long names are the user's fault.
const NAME_MAX = 255;
const PATH_MAX = 4096;
// The kernel gives up after 40 link expansions (ELOOP); a package that needs more is refused.
const MAX_LINK_EXPANSIONS = 40;

type NodeKind = 'file' | 'dir' | 'symlink';

interface PlannedNode {
  kind: NodeKind;
  /** The entry that wins for this path; undefined for a directory only implied by its children. */
  entry: Entry | undefined;
  mode: number;
}

/**
 * Extracts `zip` into `destDir` (created if missing; must be empty). Nothing is ever written outside it.
 * On any failure `destDir` is removed and the error is rethrown: a ZipRejected for a bad archive, the raw
 * error for a host fault (disk full, permissions).
 */
export async function extractZip(zip: Buffer, destDir: string, opts: ExtractOptions): Promise<ExtractResult> {
  const root = path.resolve(destDir);
  await mkdir(root, { recursive: true });
  // /var/task on Lambda: root-owned 0755, so the sandbox's unprivileged user can read it whatever the umask.
  await chmod(root, 0o755);
  // Refusing a non-empty directory is what lets the symlink checks reason only about links this call made.
  if ((await readdir(root)).length > 0) {
    throw new NimbusError('ERR_INTERNAL', `extraction target is not empty: ${root}`);
  }
  let zipfile: ZipFile | undefined;
  try {
    zipfile = await openZip(zip);
    const entries = await readEntries(zipfile);
    return await extractEntries(zipfile, entries, root, opts.maxUnzippedBytes);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  } finally {
    zipfile?.close();
  }
}

/** Steps: 1. plan and vet every path, 2. dirs, 3. files, 4. symlinks last, so nothing is written through one. */
async function extractEntries(
  zipfile: ZipFile,
  entries: Entry[],
  root: string,
  max: number,
): Promise<ExtractResult> {
  // 1. Declared sizes first: a bomb is refused before a byte is inflated.
  const declared = entries.reduce((sum, e) => sum + e.uncompressedSize, 0);
  if (declared > max) throw new ZipRejected('unzipped-too-large', `declared ${declared} > ${max} bytes`);
  const plan = planTree(entries);

  const budget = { left: max };
  const abs = (rel: string): string => path.join(root, ...rel.split('/'));
  // 2. Parents sort before children, so each mkdir's parent is a real directory this call created.
  const dirs = [...plan].filter(([, n]) => n.kind === 'dir').map(([rel, n]) => ({ rel, mode: n.mode }));
  dirs.sort((a, b) => a.rel.split('/').length - b.rel.split('/').length);
  for (const dir of dirs) await makeDir(abs(dir.rel), dir.mode);

  // 3. O_EXCL | O_NOFOLLOW: each path is written once and never through a link, whatever the plan missed.
  let files = 0;
  for (const [rel, node] of plan) {
    if (node.kind !== 'file' || node.entry === undefined) continue;
    const handle = await open(abs(rel), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
    try {
      for await (const chunk of entryChunks(zipfile, node.entry, budget, max)) await handle.write(chunk);
      await handle.chmod(node.mode); // explicit chmod: the umask must not eat the executable bit
    } finally {
      await handle.close();
    }
    files++;
  }

  // 4. Every target is vetted against the complete set of links before any link exists.
  const links = new Map<string, string>();
  for (const [rel, node] of plan) {
    if (node.kind !== 'symlink' || node.entry === undefined) continue;
    links.set(rel, await readLinkTarget(zipfile, node.entry, budget, max));
  }
  for (const [rel, target] of links) assertLinkStaysInside(rel, target, links);
  for (const [rel, target] of links) await symlink(target, abs(rel));
  return { files: files + links.size, unzippedBytes: max - budget.left };
}

/** Normalises names, resolves duplicates (later entry wins) and refuses paths that are both file and dir. */
function planTree(entries: Entry[]): Map<string, PlannedNode> {
  const plan = new Map<string, PlannedNode>();
  const place = (rel: string, node: PlannedNode): void => {
    const prior = plan.get(rel);
    if (prior === undefined || (prior.kind === node.kind && node.entry !== undefined)) {
      plan.set(rel, node);
    } else if (prior.kind !== node.kind) {
      const kind = prior.kind === 'symlink' || node.kind === 'symlink' ? 'unsafe-symlink' : 'unsafe-path';
      throw new ZipRejected(kind, `"${rel}" is both a ${prior.kind} and a ${node.kind}`);
    }
  };
  for (const entry of entries) {
    const name = getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
    const segments = safeSegments(name);
    const unixMode = entry.externalFileAttributes >>> 16;
    const perms = unixMode & 0o777; // drops setuid, setgid and sticky
    const isDir = name.endsWith('/');
    for (let i = 1; i < segments.length; i++) {
      place(segments.slice(0, i).join('/'), { kind: 'dir', entry: undefined, mode: DEFAULT_DIR_MODE });
    }
    if (segments.length === 0) continue; // "./" names the root itself
    const rel = segments.join('/');
    if (isDir) {
      // Owner rwx always: extraction and later removal must be able to enter and empty the directory.
      place(rel, { kind: 'dir', entry, mode: perms === 0 ? DEFAULT_DIR_MODE : perms | 0o700 });
    } else if ((unixMode & S_IFMT) === S_IFLNK) {
      if (entry.uncompressedSize > PATH_MAX) throw new ZipRejected('unsafe-symlink', `link "${rel}" target too long`);
      place(rel, { kind: 'symlink', entry, mode: 0o777 });
    } else {
      place(rel, { kind: 'file', entry, mode: perms === 0 ? DEFAULT_FILE_MODE : perms });
    }
  }
  return plan;
}

/** Splits an entry name into path segments, refusing anything that could leave the root. */
function safeSegments(name: string): string[] {
  const reject = (why: string): never => {
    throw new ZipRejected('unsafe-path', `${why}: ${JSON.stringify(name)}`);
  };
  if (name.includes('\0')) reject('NUL byte in name');
  // getFileNameLowLevel(..., false) turned backslashes into "/", so "\\server\x" arrives as "//server/x".
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) reject('absolute path');
  if (Buffer.byteLength(name) > PATH_MAX) reject('name too long');
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..') reject('".." segment');
    if (Buffer.byteLength(segment) > NAME_MAX) reject('path component too long');
  }
  if (segments.length === 0 && !name.endsWith('/')) reject('empty file name');
  return segments;
}

/**
 * Resolves the link as the kernel would, expanding links of this package as they are met, and refuses it if
 * any step climbs above the root. A lexical check alone is not enough: `l2 -> l1/..` with `l1 -> d/e` and
 * `d/e -> ..` looks inside but lands in the parent of the root.
 */
function assertLinkStaysInside(rel: string, target: string, links: ReadonlyMap<string, string>): void {
  const reject = (why: string): never => {
    throw new ZipRejected('unsafe-symlink', `link "${rel}" -> "${target}": ${why}`);
  };
  const stack: string[] = [];
  const pending = [...rel.split('/').slice(0, -1), ...target.split('/')];
  let expansions = 0;
  while (pending.length > 0) {
    const segment = pending.shift() as string;
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (stack.length === 0) reject('resolves outside the package');
      stack.pop();
      continue;
    }
    stack.push(segment);
    const next = links.get(stack.join('/'));
    if (next === undefined) continue;
    if (++expansions > MAX_LINK_EXPANSIONS) reject('too many levels of links');
    stack.pop();
    pending.unshift(...next.split('/'));
  }
}

async function makeDir(dir: string, mode: number): Promise<void> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const stat = await lstat(dir);
  if (!stat.isDirectory()) throw new ZipRejected('unsafe-path', `"${dir}" is not a directory`);
  const handle = await open(dir, fsc.O_RDONLY | fsc.O_DIRECTORY | fsc.O_NOFOLLOW);
  try {
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}

async function readLinkTarget(zipfile: ZipFile, entry: Entry, budget: Budget, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of entryChunks(zipfile, entry, budget, max)) chunks.push(chunk);
  const raw = Buffer.concat(chunks).toString('utf8');
  const target = raw.replace(/\\/g, '/'); // same reading of backslashes as for entry names
  const where = `link target ${JSON.stringify(raw)}`;
  if (target === '' || target.includes('\0')) throw new ZipRejected('unsafe-symlink', `invalid ${where}`);
  if (target.startsWith('/') || /^[A-Za-z]:/.test(target)) throw new ZipRejected('unsafe-symlink', `absolute ${where}`);
  return target;
}

interface Budget {
  left: number;
}

/** The entry's bytes, charged to the budget as they stream: declared sizes can lie. */
async function* entryChunks(zipfile: ZipFile, entry: Entry, budget: Budget, max: number): AsyncGenerator<Buffer> {
  if (!entry.canDecodeFileData()) {
    throw new ZipRejected('corrupt', `entry is encrypted or uses compression method ${entry.compressionMethod}`);
  }
  let stream: Readable;
  try {
    stream = await zipfile.openReadStreamPromise(entry);
  } catch (err) {
    throw new ZipRejected('corrupt', (err as Error).message, err);
  }
  const iterator = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  try {
    for (;;) {
      let step: IteratorResult<Buffer>;
      try {
        step = await iterator.next();
      } catch (err) {
        throw new ZipRejected('corrupt', (err as Error).message, err);
      }
      if (step.done === true) return;
      budget.left -= step.value.length;
      if (budget.left < 0) throw new ZipRejected('unzipped-too-large', `more than ${max} bytes when inflated`);
      yield step.value;
    }
  } finally {
    stream.destroy();
  }
}

function openZip(zip: Buffer): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would refuse unsafe names as plain Errors; decoding here lets us classify them.
    const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, strictFileNames: false };
    fromBuffer(zip, options, (err, zipfile) => {
      if (err !== null) reject(new ZipRejected('corrupt', err.message, err));
      else resolve(zipfile);
    });
  });
}

function readEntries(zipfile: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    // Stays attached for the zipfile's life: an 'error' without a listener would crash the process.
    zipfile.on('error', (err: Error) => reject(new ZipRejected('corrupt', err.message, err)));
    zipfile.on('entry', (entry: Entry) => {
      entries.push(entry);
      zipfile.readEntry();
    });
    zipfile.once('end', () => resolve(entries));
    zipfile.readEntry();
  });
}
