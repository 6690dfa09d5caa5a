// Where the cgroup filesystems are and which control file proves that a controller works in a child group.
// The sandbox's detection and `nimbus doctor` both read these rules from here, so they cannot disagree.
import { readFileSync } from 'node:fs';

export type V1Controller = 'memory' | 'cpu' | 'pids';

/** The control file a child group has when the controller really works there (the root group lacks some). */
export const V1_PROBE_FILE: Readonly<Record<V1Controller, string>> = {
  memory: 'memory.limit_in_bytes',
  cpu: 'cpu.cfs_quota_us',
  pids: 'pids.max',
};

/** cgroup2 files Nimbus needs: `cgroup.kill` (tree kill, Linux ≥ 5.14) and `cgroup.freeze` (Linux ≥ 5.2). */
export const V2_KILL_FILE = 'cgroup.kill';
export const V2_FREEZE_FILE = 'cgroup.freeze';

/** The directory under each cgroup mount where Nimbus keeps its groups. */
export const NIMBUS_CGROUP_DIR = 'nimbus';

export interface CgroupMounts {
  /** Every cgroup2 mount point, in /proc/mounts order. */
  readonly v2: readonly string[];
  /** The v1 mount point of each controller. Only real v1 mounts: on a v2-only host these are absent. */
  readonly v1: Partial<Record<V1Controller, string>>;
  /** True when the host mounts cgroup2 at /sys/fs/cgroup and no v1 hierarchy at all. */
  readonly unifiedOnly: boolean;
}

/** Reads /proc/mounts; undefined when it cannot be read. */
export function cgroupMounts(): CgroupMounts | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return undefined;
  }
  const mounts = text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 4)
    .map(([, point = '', type = '', opts = '']) => ({ point: unescapeMount(point), type, options: opts.split(',') }));
  const v1: Partial<Record<V1Controller, string>> = {};
  for (const controller of Object.keys(V1_PROBE_FILE) as V1Controller[]) {
    const mount = mounts.find((m) => m.type === 'cgroup' && m.options.includes(controller));
    if (mount !== undefined) v1[controller] = mount.point;
  }
  return {
    v2: mounts.filter((m) => m.type === 'cgroup2').map((m) => m.point),
    v1,
    unifiedOnly: mounts.some((m) => m.type === 'cgroup2' && m.point === '/sys/fs/cgroup') && !mounts.some((m) => m.type === 'cgroup'),
  };
}

/** /proc/mounts escapes space, tab, newline and backslash as octal. */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
