// One execution environment: a runtime process, its Runtime API listener and the state machine that pairs
// invocations with the runtime's /next, /response and /error calls (spec/lambda-wire.md b.1, b.6).
//
//   created ──start──▶ starting ──first /next──▶ idle ⇄ busy ──▶ stopped
//                          └── /init/error, exit, init timeout ──▶ stopped
//
// A timeout, a crash or an oversize response stops the environment (its whole process tree is killed) so
// the next invocation cold-starts a fresh one, as on Lambda. With external extensions (extension-host.ts) init
// also waits for them, an invocation ends only once they too have asked for their next event (the caller has the
// response already), and stopping delivers SHUTDOWN to them first.
import { accessSync, constants } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { InvocationOutcome } from '../model/outcome.js';
import {
  billedMs, endLine, initStartLine, logStreamName, reportLine, startLine, timeoutLine,
} from '../observe/index.js';
import { type RuntimeDefinition, type RuntimeHost, runtimeDefinition } from '../runtimes/index.js';
import type { HostMounts, ProcessSandbox, SandboxPaths, SandboxProcess } from '../sandbox/index.js';
import { randomHex } from '../shared/ids.js';
import type { Clock } from '../shared/clock.js';
import type { Lease } from './host-capacity.js';
import type { EnvironmentSpec, InvokeInput, LogSink } from './environment-spec.js';
import { type RuntimeError, RuntimeApi, type RuntimeReply } from './runtime-api.js';
import { buildRuntimeEnv } from './runtime-env.js';
import type { RuntimeSlot, RuntimeSlots } from './runtime-slots.js';
import { type ExtensionFailure, ExtensionHost, failureAsError } from './extension-host.js';
import { functionRecord, platformRecords, platformStatus } from './telemetry-api.js';
import { StreamedReply } from './streamed-reply.js';
import { LineSplitter } from './line-splitter.js';
import { TailLines } from './tail-lines.js';

export type EnvironmentState = 'created' | 'starting' | 'idle' | 'busy' | 'stopped';
/** How an environment came to be: for an invocation, or ahead of any for provisioned concurrency. */
export type InitializationType = 'on-demand' | 'provisioned-concurrency';

export interface EnvironmentDeps {
  readonly sandbox: ProcessSandbox;
  readonly logs: LogSink;
  readonly clock: Clock;
  readonly host: RuntimeHost;
  readonly initTimeoutMs: number;
  /**
   * How long an idle environment stays thawed before it is frozen. A next invocation within it finds the runtime
   * running and skips both cgroup writes (each ~0.2 ms of the server's time); 0 freezes at once.
   */
  readonly freezeDelayMs?: number;
  /** Pre-started runtimes a cold start may take over instead of starting its own. */
  readonly slots?: RuntimeSlots;
}

type Completion =
  | { kind: 'ok'; payload: Buffer; contentType: string }
  | { kind: 'function-error'; payload: Buffer; errorType: string; status?: string }
  | { kind: 'platform-error'; message: string };

interface Active {
  readonly input: InvokeInput;
  readonly startedAt: number;
  /** OOM kills in the environment before this invocation: more at exit means the invocation ran out of memory. */
  readonly oomKillsBefore: number | undefined;
  readonly lines: TailLines;
  readonly done: (c: Completion) => void;
  readonly cold: boolean;
  replied: boolean;
  timer: NodeJS.Timeout | undefined;
  /** Set while the runtime has replied and INVOKE-registered extensions are still working. */
  awaitingExtensions: Completion | undefined;
}

interface InitFailure {
  readonly errorType: string;
  readonly payload: Buffer;
  /** Set when the runtime exited during init: the message names the request, known only at invoke time. */
  readonly exit?: { code: number | null; signal: NodeJS.Signals | null; outOfMemory: boolean };
  /** Set when an extension failed init: the message names the request, known only at invoke time. */
  readonly extension?: ExtensionFailure;
}

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

/** start()'s answer when init overran engine.initTimeoutMs: Lambda then retries init inside the invocation. */
const INIT_TIMED_OUT = Symbol('init timed out');

export class ExecutionEnvironment {
  /** Names the environment's sandbox (its cgroups) and ends its log stream; a pre-started runtime's when it takes one. */
  id = randomHex(16);
  logStream: string;
  private stateValue: EnvironmentState = 'created';
  private proc: SandboxProcess | undefined;
  private server: Server | undefined;
  private api: RuntimeApi | undefined;
  private parked: ServerResponse | undefined;
  private active: Active | undefined;
  /** Counts output lines, so completion can wait until the runtime's output has gone quiet. */
  private outputSeq = 0;
  private initError: InitFailure | undefined;
  private initDurationMs: number | undefined;
  private readyWaiter: ((failure: InitFailure | typeof INIT_TIMED_OUT | undefined) => void) | undefined;
  /** An event waiting for the runtime's next /next (it replied but has not asked again yet). */
  private pendingSend: (() => void) | undefined;
  private initLines = new TailLines();
  /** AWS_LAMBDA_RUNTIME_API for this environment's runtime, and the Unix socket behind it without a network. */
  private runtimeApi = '';
  private runtimeApiSocket: string | undefined;
  /** The CPU share is applied at the runtime's first /next (throttled init is ~9× slower). */
  private cpuLimited = false;
  private frozen = false;
  private freezeTimer: NodeJS.Timeout | undefined;
  /** The environment's extensions and Telemetry API subscriptions (none found: an idle host that costs nothing). */
  private ext: ExtensionHost | undefined;
  private runtimeReady = false;
  /** The launched process (the sandbox) has ended: with extensions, the runtime may have ended before it. */
  private sandboxGone = false;
  private runtimeEnded = false;
  /** Resolves when the current invocation's invoke phase is over (extensions included); undefined when it is. */
  private phase: { promise: Promise<void>; resolve: () => void } | undefined;
  private stopping: Promise<void> | undefined;
  lastUsedAt = 0;

  constructor(
    readonly spec: EnvironmentSpec,
    private readonly deps: EnvironmentDeps,
    readonly initializationType: InitializationType = 'on-demand',
    /** The host memory this environment holds (engine/host-capacity.ts), released when it stops. */
    private readonly lease?: Lease,
  ) {
    this.logStream = logStreamName(deps.clock.now(), spec.version, this.id);
  }

  /**
   * Provisioned concurrency: initialise now, before any invocation, and wait idle (frozen). True when the
   * runtime came up; a failed or timed-out init stops the environment.
   */
  async prewarm(): Promise<boolean> {
    if (this.stateValue !== 'created') return this.stateValue === 'idle';
    const failure = await this.start();
    if (failure !== undefined) {
      void this.stop();
      return false;
    }
    this.freezeIfParked();
    return this.state === 'idle';
  }

  get state(): EnvironmentState {
    return this.stateValue;
  }

  /** Runs one invocation; cold-starts the runtime first when this environment is new. */
  async invoke(input: InvokeInput): Promise<InvocationOutcome> {
    if (this.stateValue === 'created') {
      const failure = await this.start();
      if (failure === INIT_TIMED_OUT) {
        const relaunchFailure = await this.retryInitInInvoke();
        if (relaunchFailure !== undefined) return this.initFailureOutcome(input, relaunchFailure);
        return this.run(input);
      }
      if (failure !== undefined) return this.initFailureOutcome(input, failure);
    }
    if (this.stateValue !== 'idle') {
      throw new Error(`environment ${this.id} cannot invoke in state ${this.stateValue}`);
    }
    return this.run(input);
  }

  /** The current invocation's invoke phase, while extensions keep it going after the caller has the response. */
  get invokePhase(): Promise<void> | undefined {
    return this.phase?.promise;
  }

  /**
   * Delivers SHUTDOWN (with `reason`) to extensions registered for it and waits for them within Lambda's shutdown
   * deadline, then kills the runtime's whole process tree and closes the Runtime API listener. Idempotent.
   */
  stop(reason: 'spindown' | 'timeout' | 'failure' = 'spindown'): Promise<void> {
    this.stopping ??= this.stopNow(reason);
    return this.stopping;
  }

  private async stopNow(reason: 'spindown' | 'timeout' | 'failure'): Promise<void> {
    this.stateValue = 'stopped';
    if (this.freezeTimer !== undefined) clearTimeout(this.freezeTimer);
    this.lease?.release();
    const active = this.active;
    if (active !== undefined && !active.replied) {
      active.replied = true;
      active.done({ kind: 'platform-error', message: 'The execution environment was stopped before the invocation completed (Nimbus is shutting down).' });
    }
    this.parked?.destroy();
    this.parked = undefined;
    if (this.ext?.hasExternal === true && this.proc !== undefined && !this.sandboxGone) {
      this.thaw();
      await this.ext.shutdown(this.runtimeEnded ? 'failure' : reason);
    }
    this.ext?.close();
    this.phase?.resolve();
    await this.proc?.kill();
    this.server?.close();
    this.server?.closeAllConnections();
  }

  // ── start-up ───────────────────────────────────────────────────────────────────────────────────────────

  private async start(): Promise<InitFailure | typeof INIT_TIMED_OUT | undefined> {
    this.stateValue = 'starting';
    const t0 = this.deps.clock.monotonic();
    const runtime = runtimeDefinition(this.spec.runtime);
    if (runtime === undefined || runtime.unavailable !== undefined) {
      this.stateValue = 'stopped';
      const errorMessage = runtime?.unavailable === undefined ? `Nimbus cannot run runtime ${this.spec.runtime} yet` : `Nimbus cannot run ${this.spec.runtime} here: ${runtime.unavailable}`;
      return { errorType: 'Runtime.InvalidRuntime', payload: json({ errorType: 'Runtime.InvalidRuntime', errorMessage }) };
    }
    const paths = this.deps.sandbox.paths(this.mountsFor(runtime));
    if (runtime.envStyle !== 'managed' && findBootstrap(this.spec, paths) === undefined) {
      this.stateValue = 'stopped';
      return missingBootstrap(paths);
    }
    this.ext = this.extensionHost(paths.optDir);
    // External extensions start before the runtime, in the same sandbox: that rules out a pre-started runtime.
    const slot = this.ext.hasExternal ? undefined : this.deps.slots?.take(this.spec, runtime);
    this.api = new RuntimeApi(this.handlers(), (req, res) => this.ext?.api.handle(req, res) ?? false, slot?.server);
    this.server = this.api.server;
    if (slot === undefined) {
      // Without a network of its own the runtime reaches its API through a Unix socket; else on loopback TCP.
      // (libuv unlinks a listening socket's file when the server closes.)
      const endpoint = this.deps.sandbox.runtimeApiEndpoint(this.id);
      await new Promise<void>((resolve) => (endpoint === undefined ? this.server?.listen(0, '127.0.0.1', resolve) : this.server?.listen(endpoint.socketPath, resolve)));
      this.runtimeApi = endpoint?.advertise ?? `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
      this.runtimeApiSocket = endpoint?.socketPath;
    } else {
      this.runtimeApi = slot.runtimeApi;
      this.runtimeApiSocket = slot.socketPath;
      this.id = slot.id;
      this.logStream = logStreamName(this.deps.clock.now(), this.spec.version, slot.id);
    }
    this.writeLog(initStartLine(runtime.versionLabel, this.spec.runtimeVersionArn), this.initLines);
    this.ext.telemetry.emit('platform', 'platform.initStart', platformRecords.initStart(this.spec.functionName, this.spec.version, runtime.versionLabel, this.spec.runtimeVersionArn));

    const ready = new Promise<InitFailure | typeof INIT_TIMED_OUT | undefined>((resolve) => (this.readyWaiter = resolve));
    const spawnFailure = slot === undefined ? this.spawnRuntime(runtime) : await this.adoptSlot(slot, runtime);
    if (spawnFailure !== undefined) {
      this.readyWaiter = undefined;
      return spawnFailure;
    }
    // The init phase is limited (10 s on Lambda); past it Lambda retries init inside the first invocation.
    const timer = setTimeout(() => this.settleReady(INIT_TIMED_OUT), this.deps.initTimeoutMs);
    const failure = await ready;
    clearTimeout(timer);
    this.initDurationMs = this.deps.clock.monotonic() - t0;
    if (failure === undefined) {
      this.stateValue = 'idle';
      this.ext?.telemetry.emit('platform', 'platform.initRuntimeDone', platformRecords.initRuntimeDone('success'));
      this.ext?.telemetry.emit('platform', 'platform.initReport', platformRecords.initReport('success', this.initDurationMs));
      this.ext?.endInit();
    }
    return failure;
  }

  /** Starts the runtime process in the sandbox; a failure to spawn at all is returned (the environment is stopped). */
  private mountsFor(runtime: RuntimeDefinition): HostMounts {
    return {
      taskRoot: this.spec.codeDir, runtimeDir: runtime.clientDir, nodePath: this.deps.host.nodePath,
      ...(this.spec.optDir === undefined ? {} : { optDir: this.spec.optDir }),
      ...(this.runtimeApiSocket === undefined ? {} : { runtimeApiSocket: this.runtimeApiSocket }),
    };
  }

  private spawnRuntime(runtime: RuntimeDefinition): InitFailure | undefined {
    const mounts = this.mountsFor(runtime);
    const sandboxPaths = this.deps.sandbox.paths(mounts);
    const bootstrap = runtime.envStyle === 'managed' ? undefined : findBootstrap(this.spec, sandboxPaths);
    const paths = bootstrap === undefined ? sandboxPaths : { ...sandboxPaths, bootstrap };
    const launch = runtime.launch(paths, this.spec.userEnv);
    // External extensions start first, in the same sandbox; the runtime follows once they have registered.
    const withExtensions = this.ext?.hasExternal === true;
    const command = withExtensions && this.ext !== undefined ? this.ext.wrap(launch) : launch;
    let proc: SandboxProcess;
    try {
      proc = this.deps.sandbox.launch({
        id: this.id,
        command: command.command,
        args: command.args,
        ...(withExtensions ? { controlPipes: true } : {}),
        env: buildRuntimeEnv(this.spec, runtime, launch, paths, this.runtimeApi, this.logStream, this.initializationType),
        mounts,
        memoryMb: this.spec.memoryMb,
        tmpMb: this.spec.ephemeralStorageMb,
      });
    } catch (err) {
      // e.g. an environment value the OS cannot pass (a NUL byte): the environment cannot start.
      this.stateValue = 'stopped';
      this.server?.close();
      const errorMessage = `The runtime could not be started: ${err instanceof Error ? err.message : String(err)}`;
      return { errorType: 'Sandbox.Failure', payload: json({ errorType: 'Sandbox.Failure', errorMessage }) };
    }
    this.adopt(proc);
    if (withExtensions && proc.control !== undefined) this.ext?.attach(proc.control, (code, signal) => this.onExit(proc, code, signal));
    return undefined;
  }

  /**
   * Takes over a pre-started runtime (runtime-slots.ts): its sandbox is handed the function's code and layers, and
   * the runtime the environment it would have been started with. If the handoff fails, a runtime is started as usual.
   */
  private async adoptSlot(slot: RuntimeSlot, runtime: RuntimeDefinition): Promise<InitFailure | undefined> {
    const paths = this.deps.sandbox.paths(this.mountsFor(runtime));
    const env = buildRuntimeEnv(this.spec, runtime, runtime.launch(paths, this.spec.userEnv), paths, this.runtimeApi, this.logStream, this.initializationType);
    const code = { taskRoot: this.spec.codeDir, ...(this.spec.optDir === undefined ? {} : { optDir: this.spec.optDir }) };
    this.adopt(slot.proc);
    try {
      await slot.proc.assign(code, this.spec.memoryMb, `${JSON.stringify({ env })}\n`);
      return undefined;
    } catch {
      this.proc = undefined; // its exit is expected, not the runtime's failure
      await slot.proc.kill();
      return this.spawnRuntime(runtime);
    }
  }

  /** The environment's runtime process from now on: its output is the function's log, its exit the runtime's end. */
  private adopt(proc: SandboxProcess): void {
    this.proc = proc;
    this.cpuLimited = false;
    this.captureOutput(proc);
    this.runtimeEnded = false;
    this.sandboxGone = false;
    // With extensions the supervisor reports the runtime's end itself and the sandbox lives on (extension-host.ts).
    void proc.exited.then((exit) => {
      if (proc !== this.proc) return;
      this.sandboxGone = true;
      if (!this.runtimeEnded) this.onExit(proc, exit.code, exit.signal);
    });
  }

  /**
   * Lambda's "suppressed init": an init that overran its limit is logged as timed out, the runtime is reset, and
   * init runs again as part of the first invocation, under the function's own timeout (run() starts that clock
   * and hands the event over once the new runtime asks for it).
   */
  private async retryInitInInvoke(): Promise<InitFailure | undefined> {
    this.writeLog(`INIT_REPORT Init Duration: ${this.deps.initTimeoutMs.toFixed(2)} ms\tPhase: init\tStatus: timeout`, this.initLines);
    this.initDurationMs = undefined;
    const old = this.proc;
    this.proc = undefined; // its exit is expected, not a crash
    await old?.kill();
    this.api?.restart();
    this.ext?.close();
    this.ext = this.extensionHost(this.ext?.seenOptDir ?? '');
    this.runtimeReady = false;
    const runtime = runtimeDefinition(this.spec.runtime);
    return runtime === undefined ? undefined : this.spawnRuntime(runtime);
  }

  private settleReady(failure: InitFailure | typeof INIT_TIMED_OUT | undefined): void {
    const waiter = this.readyWaiter;
    this.readyWaiter = undefined;
    waiter?.(failure);
  }

  private initFailureOutcome(input: InvokeInput, initFailure: InitFailure): InvocationOutcome {
    const { exit, extension } = initFailure;
    const failure = extension !== undefined ? failureAsError(input.requestId, extension)
      : exit === undefined ? initFailure : exitFailure(input.requestId, exit.code, exit.signal, exit.outOfMemory);
    const lines = this.initLines;
    const init = this.initDurationMs ?? 0;
    this.writeLog(`INIT_REPORT Init Duration: ${init.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${failure.errorType}`, lines);
    this.writeLog(startLine(input.requestId, this.spec.version), lines);
    this.writeLog(endLine(input.requestId), lines);
    const metrics = { durationMs: init, billedDurationMs: billedMs(init), memorySizeMb: this.spec.memoryMb, maxMemoryUsedMb: 0 };
    this.writeLog(reportLine(input.requestId, { ...metrics, status: 'error', errorType: failure.errorType }), lines);
    void this.stop('failure');
    return { kind: 'function-error', requestId: input.requestId, executedVersion: this.spec.version, payload: failure.payload, errorType: failure.errorType, logLines: lines.lines, metrics };
  }

  private extensionHost(seenOptDir: string): ExtensionHost {
    const { spec } = this;
    return new ExtensionHost({
      optHostDir: spec.optDir, seenOptDir,
      metadata: { functionName: spec.functionName, functionVersion: spec.version, handler: spec.handler, accountId: spec.accountId },
      onChange: () => this.onExtensionChange(),
      onLogLine: (line) => {
        this.outputSeq += 1;
        this.writeLog(line, this.active?.lines ?? this.initLines);
        if (this.ext?.telemetry.wanted === true) this.ext.telemetry.emit('extension', 'extension', line);
      },
    });
  }

  // ── one invocation ─────────────────────────────────────────────────────────────────────────────────────

  private run(input: InvokeInput): Promise<InvocationOutcome> {
    // A provisioned environment's init happened ahead of time: like AWS, its REPORT carries no Init Duration.
    const cold = this.initDurationMs !== undefined && this.lastUsedAt === 0 && this.initializationType === 'on-demand';
    // The tail (X-Amz-Log-Result) starts at START: init output is in the log stream only, as on AWS.
    const lines = new TailLines();
    this.initLines = new TailLines();
    this.stateValue = 'busy';
    this.thaw();
    this.writeLog(startLine(input.requestId, this.spec.version), lines);
    const startedAt = this.deps.clock.monotonic();
    const deadline = this.deps.clock.now() + this.spec.timeoutSec * 1000;

    const telemetry = this.ext?.telemetry;
    if (telemetry?.wanted === true) telemetry.emit('platform', 'platform.start', platformRecords.start(input.requestId, this.spec.version, input.traceId));

    return new Promise<InvocationOutcome>((resolve) => {
      const active: Active = {
        input, startedAt, lines, cold, replied: false, timer: undefined, oomKillsBefore: this.proc?.oomKills(), awaitingExtensions: undefined,
        done: (c) => {
          if (telemetry?.wanted === true) this.emitRuntimeDone(active, c);
          if (this.phase === undefined || this.stateValue === 'stopped') {
            if (active.timer) clearTimeout(active.timer);
            // Lines the runtime wrote before it replied may still sit in the stdout pipe; let them land first.
            return this.afterOutputSettles(() => resolve(this.finish(active, c)));
          }
          // The caller gets the response now; the invocation goes on until the extensions are done (timer included).
          this.afterOutputSettles(() => {
            const settled = this.phase?.promise;
            resolve({ ...this.outcome(active, c, this.metrics(active, false)), ...(settled === undefined ? {} : { settled }) });
            active.awaitingExtensions = c;
            this.checkInvokeDone();
          });
        },
      };
      this.active = active;
      active.timer = setTimeout(() => this.onTimeout(active), this.spec.timeoutSec * 1000);
      if (this.ext?.beginInvoke(input, deadline) === true) {
        let resolvePhase = (): void => undefined;
        const promise = new Promise<void>((r) => (resolvePhase = r));
        this.phase = { promise, resolve: resolvePhase };
      }
      if (this.parked !== undefined) this.sendEvent(input, deadline);
      else this.pendingSend = () => this.sendEvent(input, deadline);
    });
  }

  /** Extensions changed (registered, asked for an event, failed, exited): re-check what the environment waits for. */
  private onExtensionChange(): void {
    const failure = this.ext?.failure;
    if (this.stateValue === 'starting') {
      if (failure !== undefined) return this.settleReady({ errorType: failure.errorType, payload: Buffer.alloc(0), extension: failure });
      if (this.runtimeReady && this.ext?.initDone() === true) this.settleReady(undefined);
      return;
    }
    const active = this.active;
    if (failure !== undefined && active !== undefined && !active.replied) {
      // An extension crashed or reported an exit error mid-invocation: the invocation fails and the environment resets.
      active.replied = true;
      this.stateValue = 'stopped';
      const { errorType, payload } = failureAsError(active.input.requestId, failure);
      void this.stop('failure').then(() => active.done({ kind: 'function-error', errorType, payload, status: 'error' }));
      return;
    }
    if (failure !== undefined && this.stateValue === 'idle') this.stateValue = 'stopped';
    this.checkInvokeDone();
  }

  /** The runtime has replied: the invocation ends once every INVOKE-registered extension has asked for its next event. */
  private checkInvokeDone(): void {
    const active = this.active;
    const c = active?.awaitingExtensions;
    if (active === undefined || c === undefined || this.ext === undefined) return;
    if (this.ext.failure === undefined && !this.ext.invokeDone()) return;
    active.awaitingExtensions = undefined;
    if (active.timer) clearTimeout(active.timer);
    if (this.ext.failure !== undefined) this.stateValue = 'stopped';
    this.finish(active, c);
  }

  private emitRuntimeDone(active: Active, c: Completion): void {
    const status = platformStatus(c);
    const bytes = c.kind === 'platform-error' ? 0 : c.payload.length;
    const durationMs = this.deps.clock.monotonic() - active.startedAt;
    const errorType = c.kind === 'function-error' && status === 'error' ? c.errorType : undefined;
    this.ext?.telemetry.emit('platform', 'platform.runtimeDone', platformRecords.runtimeDone(active.input.requestId, status, durationMs, bytes, active.input.traceId, errorType));
  }

  private sendEvent(input: InvokeInput, deadline: number): void {
    const res = this.parked;
    this.parked = undefined;
    if (res !== undefined) this.api?.deliver(res, { ...input, deadlineMs: deadline });
  }

  /** The invocation's figures now; `final` also resets the peak memory for the next invocation. */
  private metrics(active: Active, final: boolean): InvocationOutcome['metrics'] & object {
    const durationMs = this.deps.clock.monotonic() - active.startedAt;
    const peak = this.proc?.peakMemoryBytes();
    if (final) this.proc?.resetPeakMemory();
    return {
      durationMs,
      billedDurationMs: billedMs(durationMs),
      memorySizeMb: this.spec.memoryMb,
      maxMemoryUsedMb: peak === undefined ? 0 : Math.ceil(peak / (1024 * 1024)),
      ...(active.cold && this.initDurationMs !== undefined ? { initDurationMs: this.initDurationMs } : {}),
    };
  }

  /** The end of the invoke phase: END and REPORT, and the environment is free again (or stays stopped). */
  private finish(active: Active, c: Completion): InvocationOutcome {
    const { input, lines } = active;
    if (this.active === active) this.active = undefined;
    const metrics = this.metrics(active, true);
    this.writeLog(endLine(input.requestId), lines);
    const status = c.kind === 'function-error' ? c.status : undefined;
    const errorType = status === 'error' && c.kind === 'function-error' ? c.errorType : undefined;
    this.writeLog(reportLine(input.requestId, { ...metrics, ...(status === undefined ? {} : { status }), ...(errorType === undefined ? {} : { errorType }) }), lines);
    const telemetry = this.ext?.telemetry;
    if (telemetry?.wanted === true) {
      telemetry.emit('platform', 'platform.report', platformRecords.report(input.requestId, platformStatus(c), metrics, input.traceId, errorType));
      void telemetry.flush();
    }
    this.lastUsedAt = this.deps.clock.now();
    const phase = this.phase;
    this.phase = undefined;
    if (this.stateValue === 'busy') {
      this.stateValue = 'idle';
      this.freezeIfParked();
    }
    phase?.resolve();
    return this.outcome(active, c, metrics);
  }

  private outcome(active: Active, c: Completion, metrics: InvocationOutcome['metrics'] & object): InvocationOutcome {
    const { input, lines } = active;
    const base = { requestId: input.requestId, executedVersion: this.spec.version, logLines: lines.lines, metrics };
    if (c.kind === 'ok') return { ...base, kind: 'ok', payload: c.payload, contentType: c.contentType };
    if (c.kind === 'function-error') return { ...base, kind: 'function-error', payload: c.payload, errorType: c.errorType };
    return { ...base, kind: 'platform-error', errorType: 'ServiceException', message: c.message, status: 500 };
  }

  /**
   * Idle environments are frozen as on Lambda: their timers and background work wait for the next event. Only
   * once the runtime is parked in /next, so that a thawed runtime can take the next event without first
   * finishing its request for it.
   */
  private freezeIfParked(): void {
    // With extensions, only once every extension is done with the invocation too.
    if (this.stateValue !== 'idle' || this.parked === undefined || this.frozen || this.freezeTimer !== undefined || this.ext?.invokeDone() === false) return;
    const delay = this.deps.freezeDelayMs ?? 0;
    if (delay <= 0) return this.freezeNow();
    this.freezeTimer = setTimeout(() => {
      this.freezeTimer = undefined;
      if (this.stateValue === 'idle' && this.parked !== undefined) this.freezeNow();
    }, delay);
    this.freezeTimer.unref();
  }

  private freezeNow(): void {
    this.proc?.setFrozen(true);
    this.frozen = true;
  }

  /** Cancels a pending freeze; thaws only a runtime that is actually frozen. */
  private thaw(): void {
    if (this.freezeTimer !== undefined) {
      clearTimeout(this.freezeTimer);
      this.freezeTimer = undefined;
    }
    if (!this.frozen) return;
    this.proc?.setFrozen(false);
    this.frozen = false;
  }

  /** True while the environment can take the next invocation (its runtime is parked in /next). */
  get reusable(): boolean {
    return this.stateValue === 'idle';
  }

  private onTimeout(active: Active): void {
    if (active.awaitingExtensions !== undefined) return this.onExtensionsTimeout(active);
    if (active.replied) return;
    active.replied = true;
    const { requestId } = active.input;
    const secs = this.spec.timeoutSec;
    this.writeLog(timeoutLine(new Date(this.deps.clock.now()).toISOString(), requestId, secs), active.lines);
    this.stateValue = 'stopped';
    void this.stop('timeout').then(() =>
      active.done({
        kind: 'function-error',
        errorType: 'Sandbox.Timedout',
        status: 'timeout',
        payload: json({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${secs.toFixed(2)} seconds` }),
      }),
    );
  }

  /**
   * The runtime replied but an extension did not ask for its next event within the function's timeout: the caller
   * has its response; the invocation is logged as timed out and the environment is reset, as on Lambda.
   */
  private onExtensionsTimeout(active: Active): void {
    active.awaitingExtensions = undefined;
    const { requestId } = active.input;
    const secs = this.spec.timeoutSec;
    this.writeLog(timeoutLine(new Date(this.deps.clock.now()).toISOString(), requestId, secs), active.lines);
    this.stateValue = 'stopped';
    const payload = json({ errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId} Error: Task timed out after ${secs.toFixed(2)} seconds` });
    void this.stop('timeout').then(() => this.finish(active, { kind: 'function-error', errorType: 'Sandbox.Timedout', status: 'timeout', payload }));
  }

  private onExit(proc: SandboxProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (proc !== this.proc) return; // a runtime this environment replaced on purpose
    this.runtimeEnded = true;
    const wasStopping = this.stateValue === 'stopped';
    this.stateValue = 'stopped';
    this.parked = undefined;
    // Extensions that outlive the runtime still talk to the API, until stop() has sent them SHUTDOWN.
    if (this.sandboxGone || this.ext?.hasExternal !== true) {
      this.server?.close();
      this.server?.closeAllConnections();
    }
    if (this.readyWaiter !== undefined) {
      // A new environment's memory group starts at zero OOM kills: any now means init ran out of memory.
      const outOfMemory = (this.proc?.oomKills() ?? 0) > 0;
      this.settleReady(this.initError ?? { ...exitFailure('', code, signal, outOfMemory), exit: { code, signal, outOfMemory } });
      return;
    }
    const active = this.active;
    if (active !== undefined && !active.replied && !wasStopping) {
      active.replied = true;
      const oomKills = this.proc?.oomKills();
      const outOfMemory = oomKills !== undefined && active.oomKillsBefore !== undefined && oomKills > active.oomKillsBefore;
      const failure = exitFailure(active.input.requestId, code, signal, outOfMemory);
      active.done({ kind: 'function-error', errorType: failure.errorType, payload: failure.payload, status: 'error' });
    }
    // The runtime replied and then died while extensions were still at work: they went with the sandbox.
    const waiting = active?.awaitingExtensions;
    if (active !== undefined && waiting !== undefined) {
      active.awaitingExtensions = undefined;
      if (active.timer) clearTimeout(active.timer);
      this.finish(active, waiting);
    }
  }

  // ── Runtime API calls ──────────────────────────────────────────────────────────────────────────────────

  private handlers() {
    return {
      next: (res: ServerResponse) => {
        if (this.stateValue === 'stopped') return void res.destroy();
        this.parked = res;
        if (!this.cpuLimited) {
          this.proc?.limitCpu();
          this.cpuLimited = true;
        }
        if (this.stateValue === 'starting') {
          this.runtimeReady = true;
          if (this.ext?.initDone() !== false) this.settleReady(undefined);
        }
        const send = this.pendingSend;
        this.pendingSend = undefined;
        if (send !== undefined) send();
        else this.freezeIfParked();
      },
      response: (id: string, body: Buffer, contentType: string): RuntimeReply =>
        this.reply(id, { kind: 'ok', payload: body, contentType }),
      error: (id: string, error: RuntimeError): RuntimeReply => this.reply(id, { kind: 'function-error', ...error }),
      streamResponse: (id: string, contentType: string): StreamedReply | 'refused' => {
        const active = this.active;
        if (active === undefined || active.input.requestId !== id || active.replied) return 'refused';
        const sink = active.input.responseStream;
        sink?.start({ contentType, executedVersion: this.spec.version });
        return new StreamedReply(sink, contentType, () => !active.replied, (end) => this.reply(id, end));
      },
      initError: (failure: RuntimeError): RuntimeReply => {
        const active = this.active;
        // Init retried inside an invocation (suppressed init) that fails: the invocation fails with it.
        if (this.stateValue === 'busy' && !this.cpuLimited && active !== undefined && !active.replied) {
          active.replied = true;
          this.stateValue = 'stopped';
          void this.stop().then(() => active.done({ kind: 'function-error', ...failure, status: 'error' }));
          return 'accepted';
        }
        if (this.stateValue !== 'starting' || this.initError !== undefined) return 'refused';
        this.initError = failure;
        // Init is over with /init/error, as on Lambda; the runtime's last words land in the log first.
        this.afterOutputSettles(() => this.settleReady(failure));
        return 'accepted';
      },
    };
  }

  /** The Runtime API has checked the id and the protocol state; this refuses replies to a settled invocation. */
  private reply(id: string, c: Completion): RuntimeReply {
    const active = this.active;
    if (active === undefined || active.input.requestId !== id || active.replied) return 'refused';
    active.replied = true;
    active.done(c);
    return 'accepted';
  }

  // ── logs ───────────────────────────────────────────────────────────────────────────────────────────────

  private captureOutput(proc: SandboxProcess): void {
    const telemetry = this.ext?.telemetry;
    const onLine = (line: string) => {
      this.outputSeq += 1;
      this.writeLog(line, this.active?.lines ?? this.initLines);
      if (telemetry?.wanted === true) telemetry.emit('function', 'function', functionRecord(line, this.spec.logFormat));
    };
    proc.stdout.pipe(new LineSplitter(onLine));
    proc.stderr.pipe(new LineSplitter(onLine));
  }

  /**
   * Calls `then` once a turn of the event loop passes without new output. The runtime flushes its stdio before
   * it posts a result, so at most a pipe's worth is still unread; each turn's poll phase reads what is there.
   */
  private afterOutputSettles(then: () => void): void {
    let seen = this.outputSeq;
    let turns = 0;
    const check = () => {
      if (this.outputSeq === seen || ++turns > 50) return then();
      seen = this.outputSeq;
      setImmediate(check);
    };
    setImmediate(check);
  }

  private writeLog(message: string, collect: TailLines): void {
    collect.push(message);
    this.deps.logs.append(this.spec.region, this.spec.logGroup, this.logStream, [{ timestamp: this.deps.clock.now(), message }]);
  }
}

/**
 * A custom runtime's executable `bootstrap`, as the runtime sees it: the package's, else a layer's in /opt, the
 * order in which Lambda looks for them. Undefined when there is none.
 */
function findBootstrap(spec: EnvironmentSpec, paths: SandboxPaths): string | undefined {
  const candidates: Array<[string | undefined, string]> = [[spec.codeDir, paths.taskRoot], [spec.optDir, paths.optDir]];
  for (const [hostDir, seenDir] of candidates) {
    if (hostDir === undefined) continue;
    try {
      accessSync(join(hostDir, 'bootstrap'), constants.X_OK);
      return `${seenDir}/bootstrap`;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Lambda refuses to start a custom runtime without a bootstrap, with this error (recorded AWS wording). */
function missingBootstrap(paths: SandboxPaths): InitFailure {
  const errorMessage = `Couldn't find valid bootstrap(s): [${paths.taskRoot}/bootstrap ${paths.optDir}/bootstrap]`;
  return { errorType: 'Runtime.InvalidEntrypoint', payload: json({ errorType: 'Runtime.InvalidEntrypoint', errorMessage }) };
}

/** The runtime died. Killed by the OOM killer, Lambda types it Runtime.OutOfMemory; otherwise Runtime.ExitError. */
function exitFailure(requestId: string, code: number | null, signal: NodeJS.Signals | null, outOfMemory = false): InitFailure {
  const reason =
    signal !== null ? `Runtime exited with error: signal: ${signalName(signal)}`
    : code !== null && code !== 0 ? `Runtime exited with error: exit status ${code}`
    : 'Runtime exited without providing a reason';
  const errorType = outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
  return { errorType, payload: json({ errorType, errorMessage: `RequestId: ${requestId} Error: ${reason}` }) };
}

/** Go's spelling of signals, which AWS's messages use (`signal: killed`). */
function signalName(signal: NodeJS.Signals): string {
  const names: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: 'killed', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGTERM: 'terminated' };
  return names[signal] ?? signal;
}
