// Content-addressed storage of deployment packages under the data directory: the zip as uploaded
// (blobs/<sha256>.zip, the source of truth) and its extracted tree (code/<sha256>/). It does not track which
// functions reference a package; callers decide when remove() is due.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { NimbusError } from '../shared/errors.js';
import { extractZip } from './zip-extract.js';

export interface StoredCode {
  readonly sha256Hex: string;
  /** What AWS reports as `CodeSha256`. */
  readonly sha256Base64: string;
  readonly size: number;
  readonly zipPath: string;
}

export interface CodeStoreOptions {
  readonly maxUnzippedBytes: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

// Every step that makes something visible is a rename from <root>/tmp/ on the same file system, so a crash
// leaves either nothing or a complete blob or tree, never a half-written one under its final name.
export class CodeStore {
  readonly #root: string;
  readonly #opts: CodeStoreOptions;
  // Identical concurrent calls in this process share one piece of work; renames settle races across processes.
  readonly #puts = new Map<string, Promise<void>>();
  readonly #extractions = new Map<string, Promise<void>>();

  constructor(root: string, opts: CodeStoreOptions) {
    this.#root = path.resolve(root);
    this.#opts = opts;
  }

  /** Validates the zip by extracting it, then commits blob and tree. A bad archive throws ZipRejected. */
  async put(zip: Buffer): Promise<StoredCode> {
    const digest = createHash('sha256').update(zip).digest();
    const hex = digest.toString('hex');
    await shared(this.#puts, hex, () => this.#store(hex, zip));
    return { sha256Hex: hex, sha256Base64: digest.toString('base64'), size: zip.length, zipPath: this.zipPath(hex) };
  }

  zipPath(sha256Hex: string): string {
    return path.join(this.#root, 'blobs', `${checkHex(sha256Hex)}.zip`);
  }

  codeDir(sha256Hex: string): string {
    return path.join(CodeStore.treesDir(this.#root), checkHex(sha256Hex));
  }

  /** Where the extracted trees of a store rooted at `root` live, one directory each. */
  static treesDir(root: string): string {
    return path.join(path.resolve(root), 'code');
  }

  /** True when the blob is stored; the tree can always be rebuilt from it. */
  has(sha256Hex: string): boolean {
    return existsSync(this.zipPath(sha256Hex));
  }

  /** Returns the extracted tree, rebuilding it from the blob when it was lost. */
  async ensureExtracted(sha256Hex: string): Promise<string> {
    const dir = this.codeDir(sha256Hex);
    if (!existsSync(dir)) await shared(this.#extractions, sha256Hex, () => this.#reextract(sha256Hex));
    return dir;
  }

  async remove(sha256Hex: string): Promise<void> {
    const dir = this.codeDir(sha256Hex);
    // Moved aside before deletion: a crash halfway through rm must not leave a partial tree under code/.
    const work = await this.#workDir();
    try {
      await rename(dir, path.join(work, 'tree')).catch(ignoreCode('ENOENT'));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    await rm(this.zipPath(sha256Hex), { force: true });
  }

  /** SHA-256 (hex) of every stored package. */
  stored(): string[] {
    const blobs = path.join(this.#root, 'blobs');
    if (!existsSync(blobs)) return [];
    return readdirSync(blobs).flatMap((name) => /^([0-9a-f]{64})\.zip$/.exec(name)?.[1] ?? []);
  }

  /**
   * Writes `code/package.json` declaring CommonJS. Node decides whether a `.js` file is CommonJS or ESM from the
   * nearest package.json, and the data directory may sit inside an ES-module package (the default `./.nimbus`
   * is inside Nimbus's own checkout). On Lambda nothing above `/var/task` has a say; this boundary restores
   * that. A function's own package.json, closer to its code, still wins.
   */
  writeScopeBoundary(): void {
    writeCommonJsBoundary(path.join(this.#root, 'code'));
  }

  /** Deletes leftovers of interrupted work. Call at start-up, before any other call on this root. */
  async sweepTemp(): Promise<void> {
    await rm(path.join(this.#root, 'tmp'), { recursive: true, force: true });
  }

  /** Steps: 1. extract into a work dir (this is the validation), 2. commit the blob, 3. publish the tree. */
  async #store(hex: string, zip: Buffer): Promise<void> {
    const blob = this.zipPath(hex);
    if (existsSync(blob) && existsSync(this.codeDir(hex))) return;
    const work = await this.#workDir();
    try {
      await extractZip(zip, path.join(work, 'tree'), this.#opts);
      if (!existsSync(blob)) await writeAtomically(path.join(work, 'blob.zip'), zip, blob);
      await this.#publish(path.join(work, 'tree'), hex);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #reextract(hex: string): Promise<void> {
    let zip: Buffer;
    try {
      zip = await readFile(this.zipPath(hex));
    } catch (err) {
      throw new NimbusError('ERR_STORE', `code package ${hex} is not stored`, { cause: err });
    }
    if (createHash('sha256').update(zip).digest('hex') !== hex) {
      throw new NimbusError('ERR_STORE', `code package ${hex} is damaged: its content no longer matches its hash`);
    }
    const work = await this.#workDir();
    try {
      // A failure here is Nimbus's problem, not the user's: the package passed these checks when stored.
      await extractZip(zip, path.join(work, 'tree'), this.#opts).catch((err: unknown) => {
        throw new NimbusError('ERR_STORE', `cannot re-extract code package ${hex}`, { cause: err });
      });
      await this.#publish(path.join(work, 'tree'), hex);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #publish(tree: string, hex: string): Promise<void> {
    await mkdir(path.join(this.#root, 'code'), { recursive: true });
    // Losing the race to an identical tree is success; the loser's copy goes with its work dir.
    await rename(tree, this.codeDir(hex)).catch(ignoreCode('ENOTEMPTY', 'EEXIST'));
  }

  async #workDir(): Promise<string> {
    const tmp = path.join(this.#root, 'tmp');
    await mkdir(tmp, { recursive: true });
    return mkdtemp(path.join(tmp, 'work-'));
  }
}

/** Writes `<dir>/package.json` declaring CommonJS (see CodeStore.writeScopeBoundary). */
export function writeCommonJsBoundary(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) writeFileSync(file, '{"type":"commonjs"}\n');
}

async function writeAtomically(tempFile: string, data: Buffer, dest: string): Promise<void> {
  const file = await open(tempFile, 'wx');
  try {
    await file.writeFile(data);
    await file.sync(); // the blob is the copy everything else is rebuilt from, so it must survive power loss
  } finally {
    await file.close();
  }
  await mkdir(path.dirname(dest), { recursive: true });
  await rename(tempFile, dest);
  const dir = await open(path.dirname(dest), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export function shared(inflight: Map<string, Promise<void>>, key: string, work: () => Promise<void>): Promise<void> {
  const running = inflight.get(key);
  if (running !== undefined) return running;
  const started = work().finally(() => inflight.delete(key));
  inflight.set(key, started);
  return started;
}

function checkHex(sha256Hex: string): string {
  // Also what keeps a caller-supplied hash from naming a path outside the store.
  if (!SHA256_HEX.test(sha256Hex)) throw new NimbusError('ERR_INTERNAL', `not a SHA-256 hex digest: ${sha256Hex}`);
  return sha256Hex;
}

export function ignoreCode(...codes: string[]): (err: unknown) => void {
  return (err) => {
    if (!codes.includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  };
}
