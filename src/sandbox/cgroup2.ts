// A cgroup v2 directory per environment, used only for what the v2 core gives without controllers:
// joining at exec (`cgroup.procs`), killing the whole tree (`cgroup.kill`) and learning it is empty
// (`cgroup.events` populated 0). Works on this project's hosts, which mount an empty cgroup2 tree next to
// the v1 controllers (notes/isolation-findings.md §0, §8), and on pure v2 hosts with write access.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isProcessAlive } from '../shared/process.js';
import { cgroupMounts, NIMBUS_CGROUP_DIR, V2_FREEZE_FILE, V2_KILL_FILE } from './cgroup-mounts.js';

/** Finds the first writable cgroup2 mount with `cgroup.kill` and prepares `<mount>/nimbus`; undefined when none. */
export function detectCgroup2Root(): string | undefined {
  for (const mountPoint of cgroupMounts()?.v2 ?? []) {
    const root = join(mountPoint, NIMBUS_CGROUP_DIR);
    try {
      mkdirSync(root, { recursive: true });
      const probe = join(root, `probe-${process.pid}`);
      mkdirSync(probe, { recursive: true });
      const ok = existsSync(join(probe, V2_KILL_FILE));
      rmdirSync(probe);
      if (ok) return root;
    } catch {
      // not writable here: try the next mount
    }
  }
  return undefined;
}

export class Cgroup2 {
  private freezeFd: number | undefined;

  constructor(readonly path: string) {}

  static create(root: string, id: string): Cgroup2 {
    const path = join(root, id);
    mkdirSync(path, { recursive: true });
    return new Cgroup2(path);
  }

  get procsFile(): string {
    return join(this.path, 'cgroup.procs');
  }

  populated(): boolean {
    try {
      return /populated 1/.test(readFileSync(join(this.path, 'cgroup.events'), 'utf8'));
    } catch {
      return false;
    }
  }

  /** Kills every process in the group (including ones that escaped with setsid) and waits until it is empty. */
  async killAll(timeoutMs = 2000): Promise<boolean> {
    try {
      writeFileSync(join(this.path, V2_KILL_FILE), '1');
    } catch {
      return !this.populated();
    }
    const until = Date.now() + timeoutMs;
    while (this.populated()) {
      if (Date.now() > until) return false;
      await new Promise((r) => setTimeout(r, 2));
    }
    return true;
  }

  /**
   * Freezes (true) or thaws (false) every process in the group. Invisible to the processes, covers every
   * descendant, and a frozen v2 task can still be killed (notes §3: ~0.13 ms round trip).
   */
  setFrozen(frozen: boolean): void {
    try {
      this.freezeFd ??= openSync(join(this.path, V2_FREEZE_FILE), 'w');
      writeSync(this.freezeFd, frozen ? '1' : '0');
    } catch {
      // group already gone
    }
  }

  remove(): void {
    if (this.freezeFd !== undefined) closeSync(this.freezeFd);
    this.freezeFd = undefined;
    try {
      rmdirSync(this.path);
    } catch {
      // still populated or already gone; a later start-up sweep removes it
    }
  }
}

/** `server-<pid>-<suffix>`: the directory name of one server's environments (several may share a process). */
export function instanceName(): string {
  return `server-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** The pid of the server owning an instance directory, or undefined for names that are not ours. */
export function instanceOwner(name: string): number | undefined {
  const pid = /^server-(\d+)(?:-[0-9a-f]+)?$/.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** Each server keeps its environments under `<root>/<instance>/`, so several servers can share a host. */
export function instanceDir(root: string, instance: string): string {
  const dir = join(root, instance);
  mkdirSync(dir, { recursive: true });
  return dir;
}


/**
 * Kills and removes environment groups left behind by servers that died without cleaning up (their pid is
 * gone). Groups of live servers are never touched.
 */
export async function sweepStale(root: string): Promise<number> {
  let swept = 0;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const pid = instanceOwner(entry.name);
    if (!entry.isDirectory() || pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
    const server = join(root, entry.name);
    for (const env of readdirSync(server, { withFileTypes: true })) {
      if (!env.isDirectory()) continue;
      const group = new Cgroup2(join(server, env.name));
      await group.killAll();
      group.remove();
      swept += 1;
    }
    new Cgroup2(server).remove();
  }
  return swept;
}
