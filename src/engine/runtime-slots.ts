// Pre-started runtime slots: runtime processes started ahead of any function, so that a cold start does not pay
// for starting an interpreter (~45 ms for Node here, ~23 ms for Python; DESIGN.md §4). A slot is a runtime client
// process, started, its modules loaded, its sandbox built and its cgroups joined, blocked reading its stdin, with
// its own Runtime API listener. A cold start that takes one mounts the function's code and layers into the running
// sandbox (sandbox/code-handoff.ts), sets the memory limit, and writes the function's environment to the process,
// which then loads the handler and asks /next: init from there on is the function's own, and Init Duration counts
// from the moment the slot is taken.
//
// Slots are kept per kind of runtime process (the same command, arguments and start-up environment: e.g. all
// nodejs20.x functions share one kind), once a function of that kind has cold-started. Each kind keeps
// `min` ready and refills in the background; a burst of cold starts raises that to the number asked for in the
// last 10 s, up to `max` (the surplus is stopped at the first cold start after the burst). A cold start that cannot use a slot starts its runtime as before: a custom runtime, a
// function with external extensions, an EphemeralStorage other than the default, or environment variables read
// only as a process starts (readAtProcessStart: NODE_OPTIONS, LD_*, PYTHON*, TZ …).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { RuntimeDefinition, RuntimeHost, RuntimeLaunch } from '../runtimes/index.js';
import type { DeferredProcess, ProcessSandbox } from '../sandbox/index.js';
import type { Clock } from '../shared/clock.js';
import { randomHex } from '../shared/ids.js';
import type { EnvironmentSpec } from './environment-spec.js';
import { runtimeApiServer } from './runtime-api.js';
import { readAtProcessStart, slotRuntimeEnv } from './runtime-env.js';

export interface RuntimeSlotOptions {
  /** Slots each kind keeps ready once used (0: no slots). */
  readonly min: number;
  /** Most slots a kind keeps ready after a burst of cold starts. */
  readonly max: number;
}

export interface RuntimeSlotStats {
  readonly available: boolean;
  /** Slots waiting for a function now, in all and by runtime command (`node`, `python3.11`). */
  readonly ready: number;
  readonly readyByCommand: Readonly<Record<string, number>>;
  /** Cold starts that took a slot since the server started. */
  readonly handedOut: number;
}

/** A runtime process waiting for its function, and the Runtime API listener its AWS_LAMBDA_RUNTIME_API names. */
export interface RuntimeSlot {
  /** The sandbox's name (its cgroups'); the environment that takes the slot takes it too. */
  readonly id: string;
  readonly proc: DeferredProcess;
  readonly server: Server;
  /** AWS_LAMBDA_RUNTIME_API as the process was started with. */
  readonly runtimeApi: string;
  /** The Unix socket behind it (environments without a network). */
  readonly socketPath: string | undefined;
}

/** Lambda's default EphemeralStorage: a slot's /tmp is sized before its function is known. */
const SLOT_TMP_MB = 512;
/** The memory limit until the function's own is set (the runtime alone uses ~40 MB). */
const SLOT_MEMORY_MB = 1024;
const DEMAND_WINDOW_MS = 10_000;
/** Longest a slot's start holds up the next one of its kind (its runtime never said hello). */
const BOOT_TIMEOUT_MS = 10_000;
/** Slots of a kind that died before use, in a row, after which the kind stops refilling. */
const MAX_EARLY_EXITS = 3;

function answerPing(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(req.url === '/2018-06-01/ping' ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(req.url === '/2018-06-01/ping' ? 'pong' : '404 page not found\n');
}

interface WaitingSlot extends RuntimeSlot {
  /** False once taken, discarded or dead: no longer this pool's. */
  alive: boolean;
  /** Ends its start (see `fill`) when it is taken before its runtime said hello. */
  readonly taken: () => void;
}

interface Kind {
  readonly runtime: RuntimeDefinition;
  readonly launch: RuntimeLaunch;
  /** Oldest first: the oldest is the most likely to have finished starting. */
  readonly ready: Array<WaitingSlot>;
  /** A slot of this kind is starting (launched, its runtime not yet ready). */
  booting: boolean;
  /** When slots were asked for (taken or missed), within the demand window. */
  readonly asked: number[];
  earlyExits: number;
}

export class RuntimeSlots {
  private readonly kinds = new Map<string, Kind>();
  /** Slots being started: close() waits for them. */
  private readonly starting = new Set<Promise<void>>();
  /** Kinds a cold start asked for since the last topUp(). */
  private readonly wanted = new Set<Kind>();
  private closed = false;
  private handedOut = 0;

  constructor(
    private readonly sandbox: ProcessSandbox,
    private readonly host: RuntimeHost,
    private readonly clock: Clock,
    private readonly options: RuntimeSlotOptions,
  ) {}

  /**
   * A ready slot for the function, else undefined. Either way the kind is refilled only at the next `topUp()`
   * (the engine calls it once the invocation has been answered).
   */
  take(spec: EnvironmentSpec, runtime: RuntimeDefinition): RuntimeSlot | undefined {
    if (this.closed || this.options.max === 0 || !this.eligible(spec, runtime)) return undefined;
    const kind = this.kindOf(runtime);
    if (kind === undefined) return undefined;
    const now = this.clock.monotonic();
    kind.asked.push(now);
    while (kind.asked[0] !== undefined && kind.asked[0] < now - DEMAND_WINDOW_MS) kind.asked.shift();
    let slot = kind.ready.shift();
    while (slot !== undefined && !slot.alive) slot = kind.ready.shift();
    if (slot !== undefined) {
      slot.server.removeAllListeners('request'); // the environment's Runtime API answers from now on
      slot.taken();
      slot.alive = false; // no longer this pool's: its exit is the environment's business now
      kind.earlyExits = 0;
      this.handedOut += 1;
    }
    this.wanted.add(kind);
    return slot;
  }

  /**
   * Refills the kinds asked for since the last call. Starting a slot blocks this thread for milliseconds (spawn,
   * cgroups): call it when no cold start is waiting on this thread.
   */
  /** True when a cold start asked for a kind since the last `topUp()`. */
  get wanting(): boolean {
    return this.wanted.size > 0;
  }

  topUp(): void {
    for (const kind of this.wanted) this.fill(kind);
    this.wanted.clear();
  }

  /** `available`: whether cold starts can use slots on this host with this configuration. */
  get stats(): RuntimeSlotStats {
    let ready = 0;
    const readyByCommand: Record<string, number> = {};
    for (const kind of this.kinds.values()) {
      ready += kind.ready.length;
      const command = basename(kind.launch.command);
      readyByCommand[command] = (readyByCommand[command] ?? 0) + kind.ready.length;
    }
    return { available: this.options.max > 0 && this.sandbox.handsOffCode, ready, readyByCommand, handedOut: this.handedOut };
  }

  /** Stops every slot still waiting (handed-out ones belong to their environments). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.starting);
    const waiting = [...this.kinds.values()].flatMap((kind) => kind.ready.splice(0));
    for (const slot of waiting) this.discard(slot);
    await Promise.all(waiting.map((slot) => slot.proc.kill()));
  }

  private discard(slot: WaitingSlot | undefined): void {
    if (slot === undefined) return;
    slot.alive = false;
    slot.server.close();
    void slot.proc.kill();
  }

  private eligible(spec: EnvironmentSpec, runtime: RuntimeDefinition): boolean {
    return runtime.envStyle === 'managed' && runtime.clientDir !== undefined && runtime.unavailable === undefined
      && spec.ephemeralStorageMb === SLOT_TMP_MB
      && !Object.keys(spec.userEnv).some(readAtProcessStart)
      // What exec could not pass (a NUL byte) must fail as it does for a runtime started for the function.
      && !Object.entries(spec.userEnv).some(([name, value]) => name.includes('\0') || value.includes('\0'))
      && this.sandbox.canHandOff({ taskRoot: spec.codeDir, ...(spec.optDir === undefined ? {} : { optDir: spec.optDir }) });
  }

  private kindOf(runtime: RuntimeDefinition): Kind | undefined {
    const launch = runtime.launch(this.sandbox.paths({ taskRoot: '', runtimeDir: runtime.clientDir, nodePath: this.host.nodePath }));
    const key = JSON.stringify([launch.command, launch.args, launch.env, runtime.clientDir]);
    let kind = this.kinds.get(key);
    if (kind === undefined) {
      kind = { runtime, launch, ready: [], booting: false, asked: [], earlyExits: 0 };
      this.kinds.set(key, kind);
    }
    return kind.earlyExits >= MAX_EARLY_EXITS ? undefined : kind;
  }

  /** Starts slots up to the kind's target, or stops the surplus of a burst that is over. */
  /**
   * One slot boots at a time per kind (until its runtime says hello), then the next: a start takes about a core
   * for tens of milliseconds, which cold starts and invocations running meanwhile should not have to share.
   */
  private fill(kind: Kind): void {
    const target = Math.min(this.options.max, Math.max(this.options.min, kind.asked.length));
    while (kind.ready.length > target) this.discard(kind.ready.pop());
    if (this.closed || kind.booting || kind.earlyExits >= MAX_EARLY_EXITS || kind.ready.length >= target) return;
    kind.booting = true;
    const started = this.start(kind).finally(() => {
      kind.booting = false;
      this.starting.delete(started);
      this.fill(kind);
    });
    this.starting.add(started);
  }

  private async start(kind: Kind): Promise<void> {
    const id = randomHex(16);
    const server = runtimeApiServer();
    const endpoint = this.sandbox.runtimeApiEndpoint(id);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        if (endpoint === undefined) server.listen(0, '127.0.0.1', resolve);
        else server.listen(endpoint.socketPath, resolve);
      });
      const runtimeApi = endpoint?.advertise ?? `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const { runtime, launch } = kind;
      const paths = this.sandbox.paths({ taskRoot: '', runtimeDir: runtime.clientDir, nodePath: this.host.nodePath });
      const proc = this.sandbox.launchDeferred({
        id, command: launch.command, args: launch.args,
        env: slotRuntimeEnv(runtime, launch, paths, runtimeApi),
        mounts: {
          runtimeDir: runtime.clientDir, nodePath: this.host.nodePath,
          ...(endpoint === undefined ? {} : { runtimeApiSocket: endpoint.socketPath }),
        },
        memoryMb: SLOT_MEMORY_MB, tmpMb: SLOT_TMP_MB,
      });
      if (proc === undefined) {
        server.close();
        kind.earlyExits = MAX_EARLY_EXITS; // this host cannot hand code over: no slots
        return;
      }
      // Until a cold start takes the slot, its runtime only says hello (slot.ts): GET /2018-06-01/ping, as RIE answers it.
      let hello = (): void => undefined;
      const booted = new Promise<void>((resolve) => (hello = resolve));
      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        answerPing(req, res);
        hello();
      });
      // Taken before it said hello: the next slot of the kind need not wait for that.
      const slot = { id, proc, server, runtimeApi, socketPath: endpoint?.socketPath, alive: true, taken: hello };
      void proc.exited.then(() => {
        if (!slot.alive) return;
        kind.earlyExits += 1;
        this.discard(slot); // releases its mounts and cgroups
        const i = kind.ready.indexOf(slot);
        if (i >= 0) kind.ready.splice(i, 1);
        this.fill(kind);
      });
      if (this.closed) {
        this.discard(slot);
        await proc.kill();
        return;
      }
      kind.ready.push(slot);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([booted, proc.exited, new Promise((resolve) => (timer = setTimeout(resolve, BOOT_TIMEOUT_MS)))]);
      clearTimeout(timer);
    } catch {
      server.close();
      kind.earlyExits += 1;
    }
  }
}
