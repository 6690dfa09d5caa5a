// Handing a function's code to a sandbox that is already running (pre-started runtime slots, engine/runtime-slots.ts).
// A slot's bubblewrap sandbox is started with /var/task and /opt bound from two empty directories of its own under
// `<state>/slots/<id>/`. That tree is one bind mount with shared propagation, and bubblewrap turns every mount of its
// namespace into a slave of the host's, so a mount made on the host at `slots/<id>/task` later appears inside the
// sandbox at /var/task at once (mount_namespaces(7), "shared subtrees"). The mounted code must be read-only inside,
// and a bind mount copies the flags of the mount it is taken from, so the code and layer trees are taken from
// read-only views of the data directory's `code/` and `opt/` made once at start-up (`<state>/ro/...`).
//
// The mounts of a cold start are made by a small helper process (Python's ctypes calling mount(2) and umount2(2)),
// which answers in ~0.2 ms: spawning mount(8) from the server took 29 ms p50 on a busy 2-core host here, the fork
// of a large parent included.
//
// Needs root, the bubblewrap sandbox and python3; `create` returns undefined otherwise, and slots are then not used.
// Mounts left by a server that died are removed by the next one on the same data directory (and by the cgroup
// reaper when this one dies: `reapMounts`).
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join, relative, sep } from 'node:path';
import { findOnPath } from './bubblewrap.js';

/** The host directories a slot's sandbox binds at /var/task and /opt, empty until code is mounted on them. */
export interface SlotDirs {
  readonly task: string;
  readonly opt: string;
}

export class CodeHandoff {
  private constructor(
    private readonly tools: Tools,
    private readonly mounter: Mounter,
    private readonly slotsDir: string,
    /** Host directory → its read-only view. */
    private readonly views: ReadonlyArray<{ readonly source: string; readonly view: string }>,
  ) {}

  /**
   * Prepares the shared `slots` tree and the read-only views of `sources` under `stateDir`, after removing what a
   * previous server left there. Undefined when this host cannot (not root, or mount(8) refused).
   */
  static create(stateDir: string, sources: readonly string[]): CodeHandoff | undefined {
    const tools = { mount: findOnPath('mount'), umount: findOnPath('umount'), python: findOnPath('python3', ['/usr/bin']) };
    if (process.getuid?.() !== 0 || tools.mount === undefined || tools.umount === undefined || tools.python === undefined) return undefined;
    const found = tools as Tools;
    // Mount tables name real paths: a state directory reached through a symlink must be found there.
    mkdirSync(stateDir, { recursive: true });
    const base = realpathSync(stateDir);
    const slotsDir = join(base, 'slots');
    const roDir = join(base, 'ro');
    unmountUnder(found, base);
    try {
      rmSync(slotsDir, { recursive: true, force: true });
      mkdirSync(slotsDir, { recursive: true, mode: 0o755 });
      mount(found, ['--bind', slotsDir, slotsDir]);
      mount(found, ['--make-shared', slotsDir]);
      const views = sources.map((source, i) => {
        const view = join(roDir, String(i));
        mkdirSync(source, { recursive: true });
        mkdirSync(view, { recursive: true, mode: 0o755 });
        mount(found, ['--bind', source, view]);
        mount(found, ['-o', 'remount,bind,ro', view]);
        return { source, view };
      });
      return new CodeHandoff(found, new Mounter(found.python), slotsDir, views);
    } catch {
      unmountUnder(found, base);
      return undefined;
    }
  }

  /** The mount points a slot's sandbox is started with. */
  prepare(id: string): SlotDirs {
    const task = join(this.slotsDir, id, 'task');
    const opt = join(this.slotsDir, id, 'opt');
    mkdirSync(task, { recursive: true, mode: 0o755 });
    mkdirSync(opt, { recursive: true, mode: 0o755 });
    return { task, opt };
  }

  /** True when `dir` lies in a directory this handoff can mount read-only. */
  covers(dir: string): boolean {
    return this.viewOf(dir) !== undefined;
  }

  /** Mounts `dir` (read-only) on `mountPoint`; it shows at once in the sandbox started on that mount point. */
  async attach(mountPoint: string, dir: string): Promise<void> {
    const view = this.viewOf(dir);
    if (view === undefined) throw new Error(`${dir} is not under a directory that can be handed to a running sandbox`);
    const errno = await this.mounter.call('bind', view, mountPoint);
    if (errno !== 0) throw new Error(`mount ${dir} on ${mountPoint}: errno ${errno}`);
  }

  /** Unmounts whatever was mounted for slot `id` and removes its directories (its sandbox must be gone). */
  async release(id: string): Promise<void> {
    const dir = join(this.slotsDir, id);
    // Detached (nothing can block it); EINVAL for a mount point with nothing mounted is fine.
    await Promise.all([this.mounter.call('detach', join(dir, 'task')), this.mounter.call('detach', join(dir, 'opt'))]);
    rmSync(dir, { recursive: true, force: true });
  }

  /** Removes every mount this handoff made (call after every slot is released). */
  close(): void {
    this.mounter.close();
    unmountUnder(this.tools, join(this.slotsDir, '..'));
  }

  /** For the reaper shell that outlives a killed server: the mounts it must detach (each takes its subtree along). */
  get reapMounts(): string[] {
    return [this.slotsDir, ...this.views.map((v) => v.view)];
  }

  private viewOf(dir: string): string | undefined {
    for (const { source, view } of this.views) {
      const rel = relative(source, dir);
      if (rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep)) return join(view, rel);
    }
    return undefined;
  }
}

interface Tools {
  readonly mount: string;
  readonly umount: string;
  readonly python: string;
}

/**
 * The helper: one request per line (`bind<NUL>source<NUL>target` or `detach<NUL>target`), one errno per line back,
 * in order. It ends when its stdin closes, with this server.
 */
const MOUNTER = `
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
MS_BIND, MNT_DETACH = 4096, 2
for line in sys.stdin.buffer:
    op, *paths = line.rstrip(b"\\n").split(b"\\0")
    if op == b"bind":
        ok = libc.mount(paths[0], paths[1], None, MS_BIND, None) == 0
    else:
        ok = libc.umount2(paths[0], MNT_DETACH) == 0
    sys.stdout.write("%d\\n" % (0 if ok else ctypes.get_errno()))
    sys.stdout.flush()
`;

class Mounter {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(errno: number) => void> = [];

  constructor(python: string) {
    this.child = spawn(python, ['-I', '-S', '-c', MOUNTER], { env: {}, stdio: ['pipe', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout.setEncoding('latin1').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.waiting.shift()?.(Number(line));
      if (this.waiting.length === 0) this.output.unref();
    });
    // Gone (or never started): every call still waiting, and every later one, fails.
    const fail = (): void => {
      for (const resolve of this.waiting.splice(0)) resolve(-1);
    };
    this.child.on('exit', fail);
    this.child.on('error', fail);
    this.child.stdin.on('error', fail);
    // The helper must not keep the server's event loop alive; only a call waiting for its answer does.
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as Socket).unref();
  }

  private get output(): Socket {
    return this.child.stdout as unknown as Socket;
  }

  /** The call's errno (0: done; -1: the helper is gone). */
  call(op: 'bind' | 'detach', ...paths: string[]): Promise<number> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || !this.child.stdin.writable) return Promise.resolve(-1);
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.output.ref();
      this.child.stdin.write(`${[op, ...paths].join('\0')}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }
}

function mount(tools: Tools, args: readonly string[]): void {
  execFileSync(tools.mount, args, { stdio: 'ignore', timeout: 5000, env: {} });
}

/** Detaches every mount at or below `dir` (deepest first), from /proc/self/mountinfo. */
function unmountUnder(tools: Tools, dir: string): void {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return;
  }
  const prefix = `${dir}/`;
  const points = text.split('\n').map((line) => unescapeMountPath(line.split(' ')[4] ?? '')).filter((p) => p === dir || p.startsWith(prefix));
  for (const point of [...new Set(points)].sort((a, b) => b.length - a.length)) {
    try {
      execFileSync(tools.umount, ['-l', point], { stdio: 'ignore', timeout: 5000, env: {} });
    } catch {
      // already gone with its parent
    }
  }
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeMountPath(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}
