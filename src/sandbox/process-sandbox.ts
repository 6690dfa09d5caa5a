// Turns "run this runtime command" into an OS process whose whole tree Nimbus can account for and kill.
// Today: a cgroup2 group per environment when the host allows it, else a process group (which setsid
// escapees can leave; health output says so). Memory/CPU limits, namespaces and freezing come with the
// sandbox issue (#4) behind this same interface.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Cgroup2, detectCgroup2Root, instanceDir, sweepStale } from './cgroup2.js';

export interface LaunchSpec {
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface SandboxProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitInfo>;
  /** Kills the process and everything it started; resolves once they are gone. Idempotent. */
  kill(): Promise<void>;
  /** Peak resident memory since the last reset, in bytes (undefined when the host does not report it). */
  peakMemoryBytes(): number | undefined;
  resetPeakMemory(): void;
}

export interface Protections {
  readonly treeKill: 'cgroup2' | 'process-group';
  readonly memoryLimit: 'none';
  readonly cpuLimit: 'none';
  readonly filesystemIsolation: 'none';
}

export class ProcessSandbox {
  private readonly cgroupRoot: string | undefined;

  private constructor(cgroupRoot: string | undefined) {
    this.cgroupRoot = cgroupRoot;
  }

  static async create(): Promise<ProcessSandbox> {
    const root = detectCgroup2Root();
    if (root === undefined) return new ProcessSandbox(undefined);
    await sweepStale(root);
    return new ProcessSandbox(instanceDir(root));
  }

  get protections(): Protections {
    return {
      treeKill: this.cgroupRoot === undefined ? 'process-group' : 'cgroup2',
      memoryLimit: 'none',
      cpuLimit: 'none',
      filesystemIsolation: 'none',
    };
  }

  /** Removes this server's (by then empty) cgroup directory; call after every environment is stopped. */
  close(): void {
    if (this.cgroupRoot !== undefined) new Cgroup2(this.cgroupRoot).remove();
  }

  launch(spec: LaunchSpec): SandboxProcess {
    const group = this.cgroupRoot === undefined ? undefined : Cgroup2.create(this.cgroupRoot, spec.id);
    // Join the group from inside the child before exec, so nothing it starts can run outside it.
    const [command, args] =
      group === undefined
        ? [spec.command, [...spec.args]]
        : ['/bin/sh', ['-c', 'echo $$ > "$0" && exec "$@"', group.procsFile, spec.command, ...spec.args]];
    try {
      const child = spawn(command, args, { cwd: spec.cwd, env: { ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      return new LaunchedProcess(child, group);
    } catch (err) {
      group?.remove();
      throw err;
    }
  }
}

class LaunchedProcess implements SandboxProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitInfo>;
  private killing: Promise<void> | undefined;

  constructor(private readonly child: ChildProcess, private readonly group: Cgroup2 | undefined) {
    this.pid = child.pid ?? -1;
    if (child.stdout === null || child.stderr === null) throw new Error('child stdio not piped');
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
  }

  kill(): Promise<void> {
    this.killing ??= this.killTree().finally(() => this.closeProcFiles());
    return this.killing;
  }

  private async killTree(): Promise<void> {
    if (this.group !== undefined) {
      await this.group.killAll();
      await this.exited;
      this.group.remove();
      return;
    }
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await this.exited;
  }

  // The files stay open: re-reading a /proc file from offset 0 regenerates it, which saves an open/close
  // pair per invocation on the warm path.
  private statusFd: number | undefined;
  private clearRefsFd: number | undefined;
  private readonly statusBuf = Buffer.alloc(4096);

  peakMemoryBytes(): number | undefined {
    try {
      this.statusFd ??= openSync(`/proc/${this.pid}/status`, 'r');
      const n = readSync(this.statusFd, this.statusBuf, 0, this.statusBuf.length, 0);
      const m = /VmHWM:\s+(\d+) kB/.exec(this.statusBuf.toString('latin1', 0, n));
      return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
    } catch {
      return undefined;
    }
  }

  resetPeakMemory(): void {
    try {
      // "5" resets the peak resident set size (VmHWM) of the process: proc(5), /proc/pid/clear_refs.
      this.clearRefsFd ??= openSync(`/proc/${this.pid}/clear_refs`, 'w');
      writeSync(this.clearRefsFd, '5');
    } catch {
      // not permitted or gone: the next reading is the lifetime peak
    }
  }

  private closeProcFiles(): void {
    for (const fd of [this.statusFd, this.clearRefsFd]) if (fd !== undefined) closeSync(fd);
    this.statusFd = undefined;
    this.clearRefsFd = undefined;
  }
}
