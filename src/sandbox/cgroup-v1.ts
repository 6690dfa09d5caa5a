// cgroup v1 resource controllers for an environment: memory (limit, per-invocation peak, OOM-kill counter),
// cpu (CFS quota ∝ memory) and pids (fork-bomb containment). This project's hosts mount these controllers as
// v1 hierarchies next to an empty cgroup2 tree (notes/isolation-findings.md §0–2, §8). Each server keeps its
// groups under `<controller>/nimbus/server-<pid>-<id>/`, like the cgroup2 side.
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../shared/process.js';
import { cgroupMounts, NIMBUS_CGROUP_DIR, V1_PROBE_FILE, type V1Controller } from './cgroup-mounts.js';
import { instanceOwner } from './cgroup2.js';
import { ControlFiles } from './control-files.js';

export type V1Roots = Partial<Record<V1Controller, string>>;

/** Finds writable v1 controllers and prepares this server's directory in each. */
export function detectV1Roots(instance: string): V1Roots {
  const roots: V1Roots = {};
  // Only real v1 mounts count: on a cgroup-v2-only host /sys/fs/cgroup/<controller> would be a plain v2 group.
  for (const [controller, mountPoint] of Object.entries(cgroupMounts()?.v1 ?? {}) as Array<[V1Controller, string]>) {
    try {
      const server = join(mountPoint, NIMBUS_CGROUP_DIR, instance);
      mkdirSync(server, { recursive: true });
      if (existsSync(join(server, V1_PROBE_FILE[controller]))) roots[controller] = server;
      else rmdirSync(server);
    } catch {
      // not writable: this protection is unavailable
    }
  }
  return roots;
}

/** Removes the groups of servers that are gone; their processes were killed through cgroup2 or died with them. */
export function sweepStaleV1(roots: V1Roots): void {
  for (const server of Object.values(roots)) {
    const parent = join(server, '..');
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      const pid = instanceOwner(entry.name);
      if (!entry.isDirectory() || pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
      const dir = join(parent, entry.name);
      for (const env of readdirSync(dir, { withFileTypes: true })) if (env.isDirectory()) tryRmdir(join(dir, env.name));
      tryRmdir(dir);
    }
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // still populated (a process survived) or gone
  }
}

/** CFS period; a long period suits short invocations best (notes §2). */
const CPU_PERIOD_US = 100_000;
/** Lambda gives one vCPU at 1,769 MB and scales CPU linearly with memory. */
const MB_PER_VCPU = 1769;
/** Lambda's per-environment process/thread limit. */
export const PIDS_MAX = 1024;

export class V1Groups {
  private readonly files = new ControlFiles();

  private constructor(private readonly dirs: V1Roots) {}

  static create(roots: V1Roots, id: string, memoryMb: number): V1Groups {
    const dirs: V1Roots = {};
    for (const [controller, root] of Object.entries(roots) as Array<[V1Controller, string]>) {
      const dir = join(root, id);
      mkdirSync(dir, { recursive: true });
      dirs[controller] = dir;
    }
    const groups = new V1Groups(dirs);
    groups.setMemoryLimit(memoryMb);
    groups.write('pids', 'pids.max', String(PIDS_MAX));
    return groups;
  }

  /**
   * The memory limit. Where swap is accounted, memory+swap is held to the same limit so the environment cannot swap
   * past it; the kernel keeps memsw ≥ the limit at every step, so the limit is written again after memsw (a raise
   * refused the first time then goes through).
   */
  setMemoryLimit(memoryMb: number): void {
    const bytes = String(memoryMb * 1024 * 1024);
    this.write('memory', 'memory.limit_in_bytes', bytes);
    this.write('memory', 'memory.memsw.limit_in_bytes', bytes);
    this.write('memory', 'memory.limit_in_bytes', bytes);
  }

  /** `cgroup.procs` files the launcher must join before exec. */
  get procsFiles(): string[] {
    return Object.values(this.dirs).map((dir) => join(dir, 'cgroup.procs'));
  }

  /**
   * Applies the CPU share once the runtime first asks for work: throttling the init phase makes cold starts
   * about 9× slower (notes §2), and Lambda does not throttle init either.
   */
  limitCpu(memoryMb: number, hostCores: number): void {
    const quota = Math.round((CPU_PERIOD_US * memoryMb) / MB_PER_VCPU);
    this.write('cpu', 'cpu.cfs_period_us', String(CPU_PERIOD_US));
    this.write('cpu', 'cpu.cfs_quota_us', quota >= CPU_PERIOD_US * hostCores ? '-1' : String(Math.max(1000, quota)));
  }

  /** A throttled group is only killed at its next period; lift the quota first (notes §9: 76 ms → 2 ms). */
  unlimitCpu(): void {
    this.write('cpu', 'cpu.cfs_quota_us', '-1');
  }

  peakMemoryBytes(): number | undefined {
    const v = this.readHot('memory', 'memory.max_usage_in_bytes');
    return v === undefined ? undefined : Number(v);
  }

  /** Writing 0 restarts the peak from the current usage: the next reading is this invocation's peak. */
  resetPeakMemory(): void {
    const path = this.path('memory', 'memory.max_usage_in_bytes');
    if (path !== undefined) this.files.writeHot(path, '0');
  }

  /** How many processes the kernel's OOM killer killed in this group so far. */
  oomKills(): number | undefined {
    const text = this.readHot('memory', 'memory.oom_control');
    const m = text === undefined ? null : /oom_kill (\d+)/.exec(text);
    return m?.[1] === undefined ? undefined : Number(m[1]);
  }

  remove(): void {
    this.files.close();
    for (const dir of Object.values(this.dirs)) tryRmdir(dir);
  }

  private path(controller: V1Controller, file: string): string | undefined {
    const dir = this.dirs[controller];
    return dir === undefined ? undefined : join(dir, file);
  }

  private readHot(controller: V1Controller, file: string): string | undefined {
    const path = this.path(controller, file);
    return path === undefined ? undefined : this.files.read(path);
  }

  private write(controller: V1Controller, file: string, value: string): void {
    const path = this.path(controller, file);
    if (path !== undefined) this.files.write(path, value);
  }
}
