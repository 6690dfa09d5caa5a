// cgroup v2 resource limits, for hosts whose memory, cpu and pids controllers live in the cgroup2 tree (a
// typical systemd host) rather than in v1 hierarchies (this project's CI hosts, cgroup-v1.ts). The limits go
// into the environment's own cgroup2 group, the one it already joins for tree kill and freezing, once this
// server's directory has the controllers enabled for its children (`cgroup.subtree_control`). The files are
// the kernel's documented interface (Documentation/admin-guide/cgroup-v2.rst): memory.max, memory.swap.max,
// memory.peak, memory.events, cpu.max, pids.max. This project's hosts cannot run these controllers in cgroup2
// (they are bound to v1), so only the file interface is exercised in tests here.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1Controller } from './cgroup-mounts.js';
import { ControlFiles } from './control-files.js';

export type V2Controller = V1Controller;

/** The controllers of `group`'s children: each one must be enabled along the path from the mount root. */
export function enabledForChildren(group: string): Set<V2Controller> {
  try {
    const words = readFileSync(join(group, 'cgroup.subtree_control'), 'utf8').trim().split(/\s+/);
    return new Set(words.filter((w): w is V2Controller => w === 'memory' || w === 'cpu' || w === 'pids'));
  } catch {
    return new Set();
  }
}

/**
 * Enables `wanted` for the children of each directory in `path` (outermost first), as far as the kernel
 * allows, and returns what the innermost has. The no-internal-process rule holds: Nimbus's directories hold
 * groups, never processes.
 */
export function enableControllers(path: readonly string[], wanted: readonly V2Controller[]): Set<V2Controller> {
  for (const dir of path) {
    for (const controller of wanted) {
      try {
        writeFileSync(join(dir, 'cgroup.subtree_control'), `+${controller}`);
      } catch {
        // not available here (bound to v1, or not delegated to us)
      }
    }
  }
  const innermost = path.at(-1);
  return innermost === undefined ? new Set() : enabledForChildren(innermost);
}

const CPU_PERIOD_US = 100_000;
const MB_PER_VCPU = 1769;

/** One environment's v2 limits, in its cgroup2 group. Mirrors V1Groups. */
export class V2Limits {
  private readonly files = new ControlFiles();

  private constructor(private readonly group: string, private readonly controllers: ReadonlySet<V2Controller>) {}

  static apply(group: string, controllers: ReadonlySet<V2Controller>, memoryMb: number, pidsMax: number): V2Limits {
    const limits = new V2Limits(group, controllers);
    limits.setMemoryLimit(memoryMb);
    if (controllers.has('memory')) limits.write('memory.swap.max', '0'); // Lambda has no swap: never swap past the limit
    if (controllers.has('pids')) limits.write('pids.max', String(pidsMax));
    return limits;
  }

  setMemoryLimit(memoryMb: number): void {
    if (this.controllers.has('memory')) this.write('memory.max', String(memoryMb * 1024 * 1024));
  }

  has(controller: V2Controller): boolean {
    return this.controllers.has(controller);
  }

  limitCpu(memoryMb: number, hostCores: number): void {
    if (!this.controllers.has('cpu')) return;
    const quota = Math.round((CPU_PERIOD_US * memoryMb) / MB_PER_VCPU);
    this.write('cpu.max', quota >= CPU_PERIOD_US * hostCores ? `max ${CPU_PERIOD_US}` : `${Math.max(1000, quota)} ${CPU_PERIOD_US}`);
  }

  unlimitCpu(): void {
    if (this.controllers.has('cpu')) this.write('cpu.max', `max ${CPU_PERIOD_US}`);
  }

  /**
   * memory.peak (Linux ≥ 5.19). Reads and resets go through one kept-open descriptor: since Linux 6.12 a write
   * resets the peak as seen through that descriptor, giving a per-invocation peak; older kernels refuse the
   * write and the reading stays the environment's lifetime peak.
   */
  peakMemoryBytes(): number | undefined {
    if (!this.controllers.has('memory')) return undefined;
    const text = this.read('memory.peak');
    return text === undefined ? undefined : Number(text.trim());
  }

  /** Refused before Linux 6.12: the peak is then not resettable. */
  resetPeakMemory(): void {
    if (this.controllers.has('memory')) this.files.writeHot(join(this.group, 'memory.peak'), 'reset');
  }

  /** memory.events `oom_kill`: processes the OOM killer killed in this group. */
  oomKills(): number | undefined {
    if (!this.controllers.has('memory')) return undefined;
    const m = /(?:^|\n)oom_kill (\d+)/.exec(this.read('memory.events') ?? '');
    return m?.[1] === undefined ? undefined : Number(m[1]);
  }

  /** Closes the kept-open files; the group itself belongs to the caller (its Cgroup2). */
  close(): void {
    this.files.close();
  }

  private read(file: string): string | undefined {
    return this.files.read(join(this.group, file));
  }

  private write(file: string, value: string): void {
    this.files.write(join(this.group, file), value);
  }
}
