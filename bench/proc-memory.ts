// Memory of a process and its descendants, read from /proc (Linux only). Two measures per process:
//   - VmRSS (/proc/<pid>/status): what `ps` and `top` show; pages shared with other processes (the node binary,
//     libc) count in full in every process that maps them, so a sum over a tree over-counts them;
//   - PSS (/proc/<pid>/smaps_rollup): each shared page divided among the processes sharing it, so a sum over a
//     tree is what the tree really holds (root can read it for every process).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcMemory {
  readonly pid: number;
  readonly ppid: number;
  /** Command name (/proc/<pid>/comm), e.g. node, bwrap, sh. */
  readonly comm: string;
  readonly rssKb: number;
  /** NaN when smaps_rollup cannot be read. */
  readonly pssKb: number;
}

/** `Key:   1234 kB` from a /proc status-like file, or NaN. */
function kbField(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m?.[1] === undefined ? Number.NaN : Number(m[1]);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** One process's memory, or undefined if it is gone (processes exit while the tree is read). */
export function procMemory(pid: number): ProcMemory | undefined {
  const stat = readOrEmpty(`/proc/${pid}/stat`);
  const status = readOrEmpty(`/proc/${pid}/status`);
  if (stat === '' || status === '') return undefined;
  // Fields after the ")" that ends the command name: state, then ppid.
  const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  return {
    pid,
    ppid,
    comm: readOrEmpty(`/proc/${pid}/comm`).trim(),
    rssKb: kbField(status, 'VmRSS'),
    pssKb: kbField(readOrEmpty(`/proc/${pid}/smaps_rollup`), 'Pss'),
  };
}

/** `root` and all its descendants (root first); empty if root is gone. */
export function processTree(root: number): ProcMemory[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  const byParent = new Map<number, number[]>();
  for (const pid of all) {
    const stat = readOrEmpty(`/proc/${pid}/stat`);
    if (stat === '') continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    byParent.set(ppid, [...(byParent.get(ppid) ?? []), pid]);
  }
  const out: ProcMemory[] = [];
  const queue = [root];
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    const m = procMemory(pid);
    if (m === undefined) continue;
    out.push(m);
    queue.push(...(byParent.get(pid) ?? []));
  }
  return out;
}

/** Processes of `tree` with no child in it (besides its root): for a server, its runtimes and helpers. */
export function leaves(tree: readonly ProcMemory[]): ProcMemory[] {
  const parents = new Set(tree.map((p) => p.ppid));
  return tree.slice(1).filter((p) => !parents.has(p.pid));
}

export function sumKb(procs: readonly ProcMemory[], pick: (p: ProcMemory) => number): number {
  return procs.reduce((n, p) => n + pick(p), 0);
}
