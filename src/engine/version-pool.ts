// The execution environments of one function version: warm ones reused most-recently-used first (LIFO keeps
// few warm and lets the rest expire), new ones started when all are busy, idle ones stopped after keep-alive,
// and environments of an older code/configuration generation retired. Provisioned concurrency keeps a set
// number initialised ahead of time: they are used first, never expire, and are replaced when one is lost.
import type { InvocationOutcome } from '../model/outcome.js';
import type { EnvironmentSpec, InvokeInput } from './environment-spec.js';
import { type EnvironmentDeps, ExecutionEnvironment } from './execution-environment.js';
import type { HostCapacity } from './host-capacity.js';
import type { ScaleRate } from './scale-rate.js';

/** Provisioned concurrency of a pool as GetProvisionedConcurrencyConfig reports it. */
export interface ProvisionedState {
  readonly requested: number;
  /** Environments initialised and kept for provisioned concurrency (busy or idle). */
  readonly allocated: number;
  /** Of those, the ones idle right now. */
  readonly available: number;
  /** Why the last provisioned init failed, if it did. */
  readonly failure?: string;
}

export class VersionPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly busy = new Set<ExecutionEnvironment>();
  private readonly provisionedIdle: ExecutionEnvironment[] = [];
  /** Provisioned environments initialised, idle or busy (the ones still starting are not counted). */
  private readonly provisioned = new Set<ExecutionEnvironment>();
  private provisionedTarget = 0;
  /** Provisioned environments still initialising (stopped with the pool, counted against the target). */
  private readonly provisionedStarting = new Set<ExecutionEnvironment>();
  private provisionedFailure: string | undefined;
  private provisionedSpec: EnvironmentSpec | undefined;
  private generation: string;
  private reaper: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    spec: EnvironmentSpec,
    private readonly deps: EnvironmentDeps,
    private readonly keepAliveMs: number,
    private readonly capacity: HostCapacity,
    /** The function's scaling rate, shared by all its versions' pools. */
    private readonly scaleRate: ScaleRate,
  ) {
    this.generation = spec.generation;
  }

  /** Idle on-demand environments, least recently used first (what host capacity may stop to make room). */
  get evictable(): readonly ExecutionEnvironment[] {
    return this.idle;
  }

  /** Stops one idle on-demand environment to free host memory for another. */
  evict(env: ExecutionEnvironment): void {
    const i = this.idle.indexOf(env);
    if (i < 0) return;
    this.idle.splice(i, 1);
    void env.stop();
  }

  get size(): { idle: number; busy: number } {
    return { idle: this.idle.length + this.provisionedIdle.length, busy: this.busy.size };
  }

  get provisionedState(): ProvisionedState {
    return {
      requested: this.provisionedTarget, allocated: this.provisioned.size, available: this.provisionedIdle.length,
      ...(this.provisionedFailure === undefined ? {} : { failure: this.provisionedFailure }),
    };
  }

  async invoke(spec: EnvironmentSpec, input: InvokeInput): Promise<InvocationOutcome> {
    if (spec.generation !== this.generation) this.retire(spec.generation);
    const env = await this.environmentFor(spec);
    if (env === undefined) {
      return {
        kind: 'platform-error', requestId: input.requestId, executedVersion: spec.version, logLines: [], errorType: 'TooManyRequestsException', status: 429,
        message: `No execution environment could be started: the function is scaling faster than engine.scaleUpPer10s allows, or the host has no memory left for another ${spec.memoryMb} MB (engine.memoryBudgetMb).`,
      };
    }
    this.busy.add(env);
    this.capacity.busyStarted();
    try {
      return await env.invoke(input);
    } finally {
      // With extensions the caller may have its response while the invocation goes on: the environment is free after.
      const phase = env.invokePhase;
      if (phase === undefined) this.release(env);
      else void phase.then(() => this.release(env));
    }
  }

  private release(env: ExecutionEnvironment): void {
    this.busy.delete(env);
    this.capacity.busyEnded();
    const keep = env.reusable && env.spec.generation === this.generation;
    if (this.provisioned.has(env)) {
      if (keep) this.provisionedIdle.push(env);
      else this.loseProvisioned(env);
    } else if (keep) {
      this.idle.push(env);
      this.scheduleReap();
    } else {
      void env.stop(env.reusable ? 'spindown' : 'failure');
    }
    // An invocation waiting for room may take this environment, or stop it to make room for its own.
    this.capacity.changed();
  }

  /**
   * An idle environment (provisioned first, then the most recently used), else a new one if the host has room
   * (idle environments of any function may be stopped for it), else — after waiting up to the admission wait for
   * one to free up — none. When the host's cores are all busy, a version with busy environments first waits a
   * moment for one of them (host-capacity.ts).
   */
  private async environmentFor(spec: EnvironmentSpec): Promise<ExecutionEnvironment | undefined> {
    const deadline = Date.now() + this.capacity.waitMs;
    let scaleOutAt: number | undefined;
    for (;;) {
      const idle = this.takeIdle(this.provisionedIdle) ?? this.takeIdle(this.idle);
      if (idle !== undefined) return idle;
      if (this.busy.size > 0 && this.capacity.saturated) {
        scaleOutAt ??= Date.now() + this.capacity.scaleOutWaitMs;
        if (Date.now() < scaleOutAt) {
          await this.capacity.nextChange(scaleOutAt);
          continue;
        }
      }
      // Over the scaling rate: throttled at once, as on AWS. A token is spent only on an environment that starts, not
      // on each look while the invocation waits for host memory.
      if (!this.scaleRate.available()) return undefined;
      const lease = this.capacity.tryAcquire(spec.memoryMb);
      if (lease !== undefined && this.scaleRate.take()) return new ExecutionEnvironment(spec, this.deps, 'on-demand', lease);
      if (Date.now() >= deadline) return undefined;
      await this.capacity.nextChange(deadline);
    }
  }

  /**
   * Keeps `count` environments of `spec` initialised ahead of invocations (0 releases them). New ones start in
   * the background; surplus idle ones stop now, busy ones when they finish.
   */
  provision(spec: EnvironmentSpec, count: number): void {
    if (spec.generation !== this.generation) this.retire(spec.generation);
    this.provisionedSpec = spec;
    this.provisionedTarget = count;
    this.provisionedFailure = undefined;
    while (this.provisioned.size > count && this.provisionedIdle.length > 0) {
      const env = this.provisionedIdle.pop();
      if (env !== undefined) this.loseProvisioned(env, false);
    }
    this.fillProvisioned();
  }

  /** Stops idle environments of older generations now; busy ones are stopped when they finish. */
  retire(newGeneration: string): void {
    this.generation = newGeneration;
    for (const env of this.idle.splice(0)) void env.stop();
    for (const env of this.provisionedIdle.splice(0)) this.loseProvisioned(env, false);
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    if (this.reaper) clearTimeout(this.reaper);
    await Promise.all([...this.idle.splice(0), ...this.provisionedIdle.splice(0), ...this.provisionedStarting, ...this.busy].map((env) => env.stop()));
  }

  /** Starts provisioned environments until the target is met (counting those already starting). */
  private fillProvisioned(): void {
    const spec = this.provisionedSpec;
    if (spec === undefined || spec.generation !== this.generation) return;
    while (!this.stopped && this.provisioned.size + this.provisionedStarting.size < this.provisionedTarget) {
      const lease = this.capacity.tryAcquire(spec.memoryMb);
      if (lease === undefined) {
        this.provisionedFailure = 'INSUFFICIENT_HOST_MEMORY';
        return;
      }
      const env = new ExecutionEnvironment(spec, this.deps, 'provisioned-concurrency', lease);
      this.provisionedStarting.add(env);
      void env.prewarm().then((ok) => {
        this.provisionedStarting.delete(env);
        if (!ok) {
          // Not retried in a loop: a function whose init fails keeps failing (AWS reports the config FAILED).
          if (!this.stopped) this.provisionedFailure = 'FUNCTION_ERROR_INIT_FAILURE';
          return;
        }
        const wanted = !this.stopped && env.spec.generation === this.generation && this.provisioned.size < this.provisionedTarget;
        if (!wanted) return void env.stop();
        this.provisioned.add(env);
        this.provisionedIdle.push(env);
      });
    }
  }

  /** A provisioned environment is gone (crashed, timed out, retired or surplus): stop it and start a replacement. */
  private loseProvisioned(env: ExecutionEnvironment, replace = true): void {
    this.provisioned.delete(env);
    void env.stop();
    if (replace) this.fillProvisioned();
  }

  private takeIdle(stack: ExecutionEnvironment[]): ExecutionEnvironment | undefined {
    for (let env = stack.pop(); env !== undefined; env = stack.pop()) {
      if (env.reusable) return env;
      if (this.provisioned.has(env)) this.loseProvisioned(env);
      else void env.stop();
    }
    return undefined;
  }

  private scheduleReap(): void {
    if (this.reaper !== undefined) return;
    const oldest = this.idle[0];
    if (oldest === undefined) return;
    const wait = Math.max(0, oldest.lastUsedAt + this.keepAliveMs - this.deps.clock.now());
    this.reaper = setTimeout(() => {
      this.reaper = undefined;
      const cutoff = this.deps.clock.now() - this.keepAliveMs;
      // idle[] is ordered by last use (oldest first), so expired environments form a prefix.
      while (this.idle[0] !== undefined && this.idle[0].lastUsedAt <= cutoff) void this.idle.shift()?.stop();
      this.scheduleReap();
    }, wait);
    this.reaper.unref();
  }
}
