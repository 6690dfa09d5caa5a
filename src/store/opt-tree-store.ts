// The /opt trees of functions with layers: each function's layers merged into one directory, as Lambda extracts
// them into /opt in order, later layers overwriting earlier ones path by path
// (https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html). A tree is content-addressed by the
// ordered list of layer packages (opt/<sha256 of the list>/), built once from the code store's extracted
// trees (no second extraction: those trees passed the safe extractor) and published by rename, so a crash
// leaves a complete tree or none. A single layer needs no merging: its extracted tree is used as it is.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, mkdtemp, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { type CodeStore, ignoreCode, shared, writeCommonJsBoundary } from './code-store.js';

export class OptTreeStore {
  readonly #root: string;
  readonly #building = new Map<string, Promise<void>>();
  /** Trees known to exist in this process: nothing removes one while the server runs (see collect). */
  readonly #ready = new Set<string>();

  constructor(root: string, private readonly code: CodeStore) {
    this.#root = path.resolve(root);
  }

  /** The host directory to show as /opt for these layer packages (in order), built if missing. */
  async ensure(layerShas: readonly string[]): Promise<string> {
    if (layerShas.length === 1) return this.code.ensureExtracted(layerShas[0] ?? '');
    const key = treeKey(layerShas);
    const dir = this.dir(key);
    if (this.#ready.has(key)) return dir;
    if (!existsSync(dir)) await shared(this.#building, key, () => this.#build(layerShas, key));
    this.#ready.add(key);
    return dir;
  }

  /**
   * Removes the merged trees no function needs any more. Call at start-up only, before any environment runs
   * (an environment has its /opt mounted for its whole life).
   */
  async collect(inUse: Iterable<readonly string[]>): Promise<number> {
    const keep = new Set([...inUse].filter((list) => list.length > 1).map(treeKey));
    const base = path.join(this.#root, 'opt');
    if (!existsSync(base)) return 0;
    const unused = readdirSync(base).filter((name) => /^[0-9a-f]{64}$/.test(name) && !keep.has(name));
    for (const key of unused) {
      // Moved aside first: a crash halfway through rm must not leave a partial tree under its final name.
      const work = await this.#workDir();
      try {
        await rename(this.dir(key), path.join(work, 'tree')).catch(ignoreCode('ENOENT'));
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
    return unused.length;
  }

  private dir(key: string): string {
    return path.join(OptTreeStore.treesDir(this.#root), key);
  }

  /** Where the merged trees of a store rooted at `root` live, one directory each. */
  static treesDir(root: string): string {
    return path.join(path.resolve(root), 'opt');
  }

  /** Steps: 1. every layer's extracted tree, 2. merged into a work dir, 3. published by rename. */
  async #build(layerShas: readonly string[], key: string): Promise<void> {
    const sources = await Promise.all(layerShas.map((sha) => this.code.ensureExtracted(sha)));
    const work = await this.#workDir();
    try {
      await mergeTrees(sources, path.join(work, 'tree'));
      // The data directory may sit inside an ES-module package: Node must see layer files as on Lambda.
      writeCommonJsBoundary(path.join(this.#root, 'opt'));
      await rename(path.join(work, 'tree'), this.dir(key)).catch(ignoreCode('ENOTEMPTY', 'EEXIST'));
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async #workDir(): Promise<string> {
    const tmp = path.join(this.#root, 'tmp');
    await mkdir(tmp, { recursive: true });
    return mkdtemp(path.join(tmp, 'opt-'));
  }
}

function treeKey(layerShas: readonly string[]): string {
  return createHash('sha256').update(layerShas.join('\n')).digest('hex');
}

/**
 * Merges `sources` (directory trees) into `dest` in order: directories are merged, and any other entry of a later
 * source replaces whatever an earlier one had at that path (a file, a link or a whole directory). Files are hard
 * links to the sources (copies across file systems), symlinks are recreated as they are. A later source's
 * directory replaces an earlier file or symlink at its path before anything is written below it, so nothing
 * is ever written through a link.
 */
export async function mergeTrees(sources: readonly string[], dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  await chmod(dest, 0o755); // /opt must be traversable by the sandbox's unprivileged user
  for (const source of sources) await mergeInto(source, dest);
}

async function mergeInto(source: string, dest: string): Promise<void> {
  for (const entry of await readdir(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(dest, entry.name);
    const existing = await lstat(to).catch(() => undefined);
    if (entry.isDirectory()) {
      if (existing?.isDirectory() !== true) {
        if (existing !== undefined) await rm(to, { recursive: true, force: true });
        await mkdir(to);
        await chmod(to, (await lstat(from)).mode & 0o7777);
      }
      await mergeInto(from, to);
      continue;
    }
    if (existing !== undefined) await rm(to, { recursive: true, force: true });
    if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else await link(from, to).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
      return copyFile(from, to); // keeps the mode (libuv copies it)
    });
  }
}
