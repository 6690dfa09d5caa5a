// Turns "run this runtime with these limits" into an OS process whose whole tree Nimbus can account for,
// limit, freeze and kill. Per environment: a cgroup2 group (tree kill, freeze) and cgroup v1 memory, cpu and
// pids groups (limits, peak memory, OOM detection), and a bubblewrap sandbox (Lambda's filesystem layout,
// PID namespace, unprivileged user), each used when the host allows it. `protections` says exactly which
// are in force; nothing is claimed that is not enforced.
//
// The chain for one environment: sh (joins the cgroups, so nothing can run outside them) → bwrap (mounts,
// namespaces) → setpriv (drops root) → the runtime.
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism, constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  type Bubblewrap, bubblewrapArgs, detectBubblewrap, findOnPath, OPT_DIR, PRIVATE_RUNTIME_API, RUNTIME_DIR, SANDBOX_NODE, TASK_ROOT, writeSandboxEtc,
} from './bubblewrap.js';
import { NimbusError } from '../shared/errors.js';
import { V2_FREEZE_FILE } from './cgroup-mounts.js';
import { Cgroup2, detectCgroup2Root, instanceDir, instanceName, sweepStale } from './cgroup2.js';
import { detectV1Roots, PIDS_MAX, sweepStaleV1, type V1Roots, V1Groups } from './cgroup-v1.js';
import { enableControllers, type V2Controller, V2Limits } from './cgroup2-limits.js';
import { CodeHandoff, type SlotDirs } from './code-handoff.js';

export interface LaunchSpec {
  readonly id: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** What the environment sees, in host paths; `paths()` says where the runtime finds them. */
  readonly mounts: HostMounts;
  /** The function's MemorySize: the memory limit, and the CPU share once `limitCpu()` is called. */
  readonly memoryMb: number;
  /** EphemeralStorage: the size of the private /tmp (with filesystem isolation). */
  readonly tmpMb: number;
  /** Give the process the pipes of `SandboxControl` (stdin, fds 3 and 4): the extension supervisor uses them. */
  readonly controlPipes?: boolean;
}

/** A process started before its function is known: `mounts` without the code, which `assign` brings later. */
export interface DeferredLaunchSpec extends Omit<LaunchSpec, 'mounts' | 'controlPipes'> {
  readonly mounts: Omit<HostMounts, 'taskRoot' | 'optDir'>;
}

/** What a deferred process is handed: the function's code and layers (host directories). */
export interface DeferredCode {
  readonly taskRoot: string;
  readonly optDir?: string;
}

/** A process launched with `launchDeferred`, waiting (reading its stdin) for the function it will run. */
export interface DeferredProcess extends SandboxProcess {
  /**
   * Mounts the code at /var/task and the layers at /opt of the running sandbox (read-only), sets the memory limit,
   * then writes `message` to the process's stdin and closes it.
   */
  assign(code: DeferredCode, memoryMb: number, message: string): Promise<void>;
}

/** The pipes of a process launched with `controlPipes`: its stdin, and what it writes to fds 3 and 4. */
export interface SandboxControl {
  readonly input: Writable;
  readonly extensionOutput: Readable;
  readonly extensionExits: Readable;
}

export interface HostMounts {
  /** The function's code: /var/task and the working directory. */
  readonly taskRoot: string;
  /** The runtime client: /var/runtime (absent for custom runtimes). */
  readonly runtimeDir: string | undefined;
  readonly nodePath: string;
  /** The function's layers, merged: /opt (absent: an empty /opt in a sandbox). */
  readonly optDir?: string;
  /** With a private network: the host Unix socket the environment's Runtime API listens on. */
  readonly runtimeApiSocket?: string;
}

/** Where the runtime sees the mounts (Lambda's paths in a sandbox, the host's without one). */
export interface SandboxPaths {
  readonly taskRoot: string;
  readonly runtimeDir: string;
  readonly nodePath: string;
  /**
   * Where the layers are: /opt in a sandbox. Without one, the host directory of the function's layers (the host's
   * own /opt for a function without layers): runtimes are pointed there, since nothing can be shown at /opt.
   */
  readonly optDir: string;
}

export interface SandboxOptions {
  /** 'auto' isolates with bubblewrap when the host can; 'none' never does (development, comparisons). */
  readonly isolation: 'auto' | 'none';
  /** A directory for the sandbox's generated files (its /etc/passwd, Runtime API sockets). */
  readonly stateDir: string;
  /** 'host' shares the host's network, as Lambda gives functions the internet; 'none' gives each environment none. */
  readonly network: 'host' | 'none';
  /**
   * Host directories whose subdirectories (function code, merged layers) may be mounted into sandboxes that are
   * already running (`launchDeferred`). Without them, or without root, every process is launched with its code.
   */
  readonly handOff?: readonly string[];
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
  /** Set when launched with `controlPipes`. */
  readonly control: SandboxControl | undefined;
  /** Kills the process and everything it started; resolves once they are gone. Idempotent. */
  kill(): Promise<void>;
  /** Applies the CPU share for the memory size (call once init is over). */
  limitCpu(): void;
  /** Stops (true) or resumes (false) every process of the environment; a no-op without cgroup2. */
  setFrozen(frozen: boolean): void;
  /** Peak memory since the last reset, in bytes: the cgroup's, else the runtime process's own (VmHWM). */
  peakMemoryBytes(): number | undefined;
  resetPeakMemory(): void;
  /** Processes the OOM killer has killed in this environment (undefined without a memory cgroup). */
  oomKills(): number | undefined;
}

export interface Protections {
  readonly treeKill: 'cgroup2' | 'process-group';
  readonly freeze: 'cgroup2' | 'none';
  readonly memoryLimit: 'cgroup-v1' | 'cgroup-v2' | 'none';
  readonly cpuLimit: 'cgroup-v1' | 'cgroup-v2' | 'none';
  readonly pidsLimit: 'cgroup-v1' | 'cgroup-v2' | 'none';
  /** Lambda's filesystem layout with nothing else of the host visible, and a private PID namespace. */
  readonly filesystemIsolation: 'bubblewrap' | 'none';
  /** The uid functions run as: Lambda's unprivileged sbx_user1051 without capabilities, or the server's own. */
  readonly user: 'sbx_user1051' | 'server';
  /** 'host': functions reach the network (and the host's loopback); 'none': a private namespace with no network. */
  readonly network: 'host' | 'none';
}

interface Isolation {
  readonly bwrap: Bubblewrap;
  readonly etc: { readonly passwd: string; readonly group: string; readonly hosts: string };
  /** Set with a private network: socat's path and where the Runtime API sockets live. */
  readonly privateNetwork?: { readonly socat: string; readonly socketDir: string };
}

export class ProcessSandbox {
  private constructor(
    private readonly cgroupRoot: string | undefined,
    private readonly v1: V1Roots,
    /** Controllers this server's cgroup2 directory enables for its environments (those v1 does not provide). */
    private readonly v2: ReadonlySet<V2Controller>,
    private readonly isolation: Isolation | undefined,
    /** Why isolation is off: 'disabled' by configuration, else what the host lacks. */
    readonly isolationUnavailable: string | undefined,
    /** Set when code can be handed to running sandboxes (root, bubblewrap, mount). */
    private readonly handoff: CodeHandoff | undefined,
  ) {}

  static async create(options: SandboxOptions): Promise<ProcessSandbox> {
    // Isolation first: a refusal (network "none" that cannot be given) must leave nothing behind.
    const [isolation, unavailable] = isolationFor(options);
    const name = instanceName();
    const root = detectCgroup2Root();
    if (root !== undefined) await sweepStale(root);
    const v1 = detectV1Roots(name);
    sweepStaleV1(v1);
    const instance = root === undefined ? undefined : instanceDir(root, name);
    const handoff = isolation === undefined || options.handOff === undefined ? undefined : CodeHandoff.create(options.stateDir, options.handOff);
    if (instance !== undefined || handoff !== undefined) startReaper(instance ?? '', Object.values(v1), handoff?.reapMounts ?? []);
    // A controller is in v1 or in cgroup2, never both: cgroup2 is asked only for what v1 does not give.
    const missing = (['memory', 'cpu', 'pids'] as const).filter((c) => v1[c] === undefined);
    const v2 = instance === undefined || missing.length === 0 ? new Set<V2Controller>() : enableControllers([dirname(dirname(instance)), dirname(instance), instance], missing);
    return new ProcessSandbox(instance, v1, v2, isolation, unavailable, handoff);
  }

  /** True when code can be handed to running sandboxes here (`launchDeferred`). */
  get handsOffCode(): boolean {
    return this.handoff !== undefined;
  }

  /** True when `launchDeferred` works here and can later be handed `code`. */
  canHandOff(code: DeferredCode): boolean {
    const { handoff } = this;
    return handoff !== undefined && handoff.covers(code.taskRoot) && (code.optDir === undefined || handoff.covers(code.optDir));
  }

  /**
   * Launches a process in a sandbox whose /var/task and /opt are still empty, to be handed its function later
   * (`assign`): a pre-started runtime slot. Undefined when this host cannot hand code to a running sandbox.
   */
  launchDeferred(spec: DeferredLaunchSpec): DeferredProcess | undefined {
    const { handoff } = this;
    if (handoff === undefined) return undefined;
    const dirs = handoff.prepare(spec.id);
    try {
      return this.start({ ...spec, mounts: { ...spec.mounts, taskRoot: dirs.task, optDir: dirs.opt } }, { handoff, id: spec.id, dirs });
    } catch (err) {
      void handoff.release(spec.id);
      throw err;
    }
  }

  /**
   * Where an environment's Runtime API listens: a Unix socket (bound into its sandbox) when environments have
   * no network, else TCP on 127.0.0.1 with a free port. `advertise` is AWS_LAMBDA_RUNTIME_API for the runtime.
   */
  runtimeApiEndpoint(id: string): { readonly socketPath: string; readonly advertise: string } | undefined {
    const net = this.isolation?.privateNetwork;
    return net === undefined ? undefined : { socketPath: join(net.socketDir, `${id}.sock`), advertise: PRIVATE_RUNTIME_API };
  }

  /** Where a runtime launched with `mounts` finds them. */
  paths(mounts: HostMounts): SandboxPaths {
    if (this.isolation === undefined) {
      return { taskRoot: mounts.taskRoot, runtimeDir: mounts.runtimeDir ?? RUNTIME_DIR, nodePath: mounts.nodePath, optDir: mounts.optDir ?? OPT_DIR };
    }
    return { taskRoot: TASK_ROOT, runtimeDir: RUNTIME_DIR, nodePath: SANDBOX_NODE, optDir: OPT_DIR };
  }

  get protections(): Protections {
    const v2 = this.cgroupRoot !== undefined;
    return {
      treeKill: v2 ? 'cgroup2' : 'process-group',
      freeze: v2 && existsSync(join(this.cgroupRoot ?? '', V2_FREEZE_FILE)) ? 'cgroup2' : 'none',
      memoryLimit: this.v1.memory !== undefined ? 'cgroup-v1' : this.v2.has('memory') ? 'cgroup-v2' : 'none',
      cpuLimit: this.v1.cpu !== undefined ? 'cgroup-v1' : this.v2.has('cpu') ? 'cgroup-v2' : 'none',
      pidsLimit: this.v1.pids !== undefined ? 'cgroup-v1' : this.v2.has('pids') ? 'cgroup-v2' : 'none',
      filesystemIsolation: this.isolation === undefined ? 'none' : 'bubblewrap',
      user: this.isolation?.bwrap.setpriv === undefined ? 'server' : 'sbx_user1051',
      network: this.isolation?.privateNetwork === undefined ? 'host' : 'none',
    };
  }

  /** Where this server's cgroups live (for health output and operators). */
  get cgroups(): Record<string, string> {
    return { ...(this.cgroupRoot === undefined ? {} : { unified: this.cgroupRoot }), ...this.v1 };
  }

  /** Removes this server's (by then empty) cgroup directories; call after every environment is stopped. */
  close(): void {
    this.handoff?.close();
    if (this.cgroupRoot !== undefined) new Cgroup2(this.cgroupRoot).remove();
    for (const dir of Object.values(this.v1)) new Cgroup2(dir).remove();
  }

  launch(spec: LaunchSpec): SandboxProcess {
    return this.start(spec, undefined);
  }

  private start(spec: LaunchSpec, slot: Slot | undefined): LaunchedProcess {
    const group = this.cgroupRoot === undefined ? undefined : Cgroup2.create(this.cgroupRoot, spec.id);
    const limits = new Limits(
      V1Groups.create(this.v1, spec.id, spec.memoryMb),
      group === undefined || this.v2.size === 0 ? undefined : V2Limits.apply(group.path, this.v2, spec.memoryMb, PIDS_MAX),
    );
    const procs = [...(group === undefined ? [] : [group.procsFile]), ...limits.procsFiles];
    const isolation = this.isolation;
    const runtime = [spec.command, ...spec.args];
    const sandboxed = isolation === undefined ? runtime : [isolation.bwrap.path, ...bubblewrapArgs(isolation.bwrap, {
      taskRoot: spec.mounts.taskRoot,
      ...(spec.mounts.runtimeDir === undefined ? {} : { runtimeDir: spec.mounts.runtimeDir }),
      ...(spec.mounts.optDir === undefined ? {} : { optDir: spec.mounts.optDir }),
      node: spec.mounts.nodePath,
      tmpMb: spec.tmpMb,
      etc: isolation.etc,
      ...(isolation.privateNetwork === undefined || spec.mounts.runtimeApiSocket === undefined
        ? {}
        : { privateNetwork: { socat: isolation.privateNetwork.socat, runtimeApiSocket: spec.mounts.runtimeApiSocket } }),
    }), ...runtime];
    // The child joins its groups itself, before exec, so nothing it starts can run outside them.
    const [command = '', ...args] = procs.length === 0 ? sandboxed : ['/bin/sh', '-c', JOIN_THEN_EXEC, 'sh', ...procs, '--', ...sandboxed];
    try {
      const stdio: StdioOptions = spec.controlPipes === true ? ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'] : [slot === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
      const child = spawn(command, args, { cwd: spec.mounts.taskRoot, env: { ...spec.env }, stdio, detached: true });
      return new LaunchedProcess(child, group, limits, spec.memoryMb, isolation !== undefined, slot);
    } catch (err) {
      group?.remove();
      limits.remove();
      throw err;
    }
  }
}

/**
 * A tiny process that outlives this server only to clean up after it: it blocks reading a pipe from the
 * server, and when the server dies (even by SIGKILL) the pipe closes, it kills the server's whole cgroup2
 * subtree, waits until it is empty and removes the server's groups (cgroup2 and v1). Needed because frozen
 * environments cannot notice on their own that their server is gone.
 */
const REAP = [
  'read _ignored',
  // $0 is empty without a cgroup2 group.
  'if [ -n "$0" ]; then echo 1 > "$0/cgroup.kill" 2>/dev/null',
  'for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q "populated 0" "$0/cgroup.events" 2>/dev/null && break; sleep 0.1; done; fi',
  // The code handoff's mounts (one per line), each detached with what is mounted below it; before the groups go,
  // so that a server's groups being gone means its mounts are too.
  'printf "%s\\n" "$NIMBUS_REAP_MOUNTS" | while IFS= read -r m; do [ -n "$m" ] && umount -l "$m" 2>/dev/null; done',
  'for dir in "$0" "$@"; do for env in "$dir"/*/; do rmdir "$env" 2>/dev/null; done; rmdir "$dir" 2>/dev/null; done',
  'true',
].join('; ');

function startReaper(instanceCgroup: string, v1Dirs: readonly string[], mounts: readonly string[]): void {
  const reaper = spawn('/bin/sh', ['-c', REAP, instanceCgroup, ...v1Dirs], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', NIMBUS_REAP_MOUNTS: mounts.join('\n') },
  });
  reaper.on('error', () => undefined);
  reaper.unref();
  // The pipe must not keep the server's event loop alive.
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
}

/** An environment's limits: each controller from v1 when the host mounts it there, else from cgroup2. */
class Limits {
  constructor(private readonly v1: V1Groups, private readonly v2: V2Limits | undefined) {}

  get procsFiles(): string[] {
    return this.v1.procsFiles; // the cgroup2 group is joined anyway
  }

  limitCpu(memoryMb: number, hostCores: number): void {
    this.v1.limitCpu(memoryMb, hostCores);
    this.v2?.limitCpu(memoryMb, hostCores);
  }

  setMemoryLimit(memoryMb: number): void {
    this.v1.setMemoryLimit(memoryMb);
    this.v2?.setMemoryLimit(memoryMb);
  }

  unlimitCpu(): void {
    this.v1.unlimitCpu();
    this.v2?.unlimitCpu();
  }

  peakMemoryBytes(): number | undefined {
    return this.v1.peakMemoryBytes() ?? this.v2?.peakMemoryBytes();
  }

  resetPeakMemory(): void {
    this.v1.resetPeakMemory();
    this.v2?.resetPeakMemory();
  }

  oomKills(): number | undefined {
    return this.v1.oomKills() ?? this.v2?.oomKills();
  }

  remove(): void {
    this.v1.remove();
    this.v2?.close();
  }
}

/** Writes the shell's pid into each `cgroup.procs` given before `--`, then execs what follows it. */
const JOIN_THEN_EXEC = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
const HOST_CORES = availableParallelism();
/** How often a kill is repeated until the process has exited. */
const KILL_RETRY_MS = 100;

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(osConstants.signals).map(([name, num]) => [num, name as NodeJS.Signals]),
);

/**
 * bwrap reports a runtime killed by signal N as its own exit status 128+N (as a shell does); turn that back
 * into the signal, so "signal: killed" reads as it does on Lambda. A runtime that itself exits with 129–159
 * is reported as that signal too: the two cannot be told apart from outside.
 */
function unwrapBwrapExit(code: number | null, signal: NodeJS.Signals | null): ExitInfo {
  if (code === null || code <= 128) return { code, signal };
  const name = SIGNAL_NAMES.get(code - 128);
  return name === undefined ? { code, signal } : { code: null, signal: name };
}

/** The bubblewrap sandbox these options ask for and the host allows, or why there is none. */
function isolationFor(options: SandboxOptions): [Isolation | undefined, string | undefined] {
  const noNetwork = (why: string) =>
    new NimbusError('ERR_CONFIG', `network "none" was asked for, but ${why}; Nimbus will not run functions with a network it was told to withhold`, { user: true });
  if (options.isolation === 'none') {
    if (options.network === 'none') throw noNetwork('isolation is "none" (the private network comes with the bubblewrap sandbox)');
    return [undefined, 'disabled'];
  }
  const found = detectBubblewrap();
  if (!found.ok) {
    if (options.network === 'none') throw noNetwork(found.reason);
    return [undefined, found.reason];
  }
  let privateNetwork: Isolation['privateNetwork'];
  if (options.network === 'none') {
    const socat = findOnPath('socat');
    if (socat === undefined) throw noNetwork('socat is not installed (apt-get install socat)');
    const socketDir = join(options.stateDir, 'run');
    rmSync(socketDir, { recursive: true, force: true });
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    privateNetwork = { socat, socketDir };
  }
  return [{ bwrap: found.bwrap, etc: writeSandboxEtc(options.stateDir), ...(privateNetwork === undefined ? {} : { privateNetwork }) }, undefined];
}

/** A deferred process's place in the code handoff. */
interface Slot {
  readonly handoff: CodeHandoff;
  readonly id: string;
  readonly dirs: SlotDirs;
}

class LaunchedProcess implements DeferredProcess {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitInfo>;
  readonly control: SandboxControl | undefined;
  private killing: Promise<void> | undefined;
  // Kept open: re-reading a /proc file from offset 0 regenerates it, saving an open/close per invocation.
  private statusFd: number | undefined;
  private clearRefsFd: number | undefined;
  private readonly statusBuf = Buffer.alloc(4096);
  /** A deferred process's stdin, where its assignment goes. */
  private readonly input: Writable | undefined;

  constructor(
    child: ChildProcess,
    private readonly group: Cgroup2 | undefined,
    private readonly limits: Limits,
    private memoryMb: number,
    sandboxed: boolean,
    private readonly slot: Slot | undefined,
  ) {
    this.input = slot === undefined ? undefined : child.stdin ?? undefined;
    this.pid = child.pid ?? -1;
    if (child.stdout === null || child.stderr === null) throw new Error('child stdio not piped');
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    const [input, , , output, exits] = child.stdio;
    this.control = input === null || output === null || exits === null || output === undefined || exits === undefined
      ? undefined
      : { input, extensionOutput: output as Readable, extensionExits: exits as Readable };
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve(sandboxed ? unwrapBwrapExit(code, signal) : { code, signal }));
      child.once('error', () => resolve({ code: null, signal: null }));
    });
  }

  kill(): Promise<void> {
    this.killing ??= this.killTree().finally(() => {
      this.closeProcFiles();
      if (this.slot !== undefined) return this.slot.handoff.release(this.slot.id);
      return undefined;
    });
    return this.killing;
  }

  async assign(code: DeferredCode, memoryMb: number, message: string): Promise<void> {
    const { slot, input } = this;
    if (slot === undefined || input === undefined) throw new Error('not a deferred process');
    await Promise.all([
      slot.handoff.attach(slot.dirs.task, code.taskRoot),
      ...(code.optDir === undefined ? [] : [slot.handoff.attach(slot.dirs.opt, code.optDir)]),
    ]);
    this.memoryMb = memoryMb;
    this.limits.setMemoryLimit(memoryMb);
    // A process that died meanwhile closed its end: its exit, not this write, reports what happened.
    input.on('error', () => undefined);
    input.end(message);
  }

  private async killTree(): Promise<void> {
    this.limits.unlimitCpu();
    let gone = false;
    void this.exited.then(() => (gone = true));
    // A process killed just after its launch may not have joined its groups yet (the launcher joins them, then
    // execs): its process group is killed too, and both again until it has exited.
    for (;;) {
      await this.group?.killAll();
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, KILL_RETRY_MS))]);
      if (gone) break;
    }
    this.limits.remove(); // first: it holds files open in the cgroup2 group
    this.group?.remove();
  }

  limitCpu(): void {
    this.limits.limitCpu(this.memoryMb, HOST_CORES);
  }

  setFrozen(frozen: boolean): void {
    this.group?.setFrozen(frozen);
  }

  oomKills(): number | undefined {
    return this.limits.oomKills();
  }

  peakMemoryBytes(): number | undefined {
    const fromCgroup = this.limits.peakMemoryBytes();
    if (fromCgroup !== undefined) return fromCgroup;
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
    if (this.limits.peakMemoryBytes() !== undefined) return this.limits.resetPeakMemory();
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
