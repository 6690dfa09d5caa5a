// The data plane's front: routes an invocation to its version's pool, and owns shutdown (stop accepting,
// let in-flight invocations finish within a grace period, then stop every environment).
import type { InvocationOutcome } from '../model/outcome.js';
import type { EnvironmentSpec, InvokeInput } from './environment-spec.js';
import type { EnvironmentDeps } from './execution-environment.js';
import { HostCapacity } from './host-capacity.js';
import type { RuntimeSlotStats } from './runtime-slots.js';
import { ScaleRate } from './scale-rate.js';
import { type ProvisionedState, VersionPool } from './version-pool.js';

/** A generation no spec carries: environments of a retired pool are never reused. */
const RETIRED = 'retired';

export interface EngineOptions {
  readonly keepAliveMs: number;
  /** Host memory execution environments may hold in total (MB); 0: no budget. */
  readonly memoryBudgetMb?: number;
  /** How long an invocation waits for host memory before it is refused with 429. */
  readonly admissionWaitMs?: number;
  /** New execution environments each function may add per 10 s (AWS: 1,000); 0: unlimited. */
  readonly scaleUpPer10s?: number;
  /** Busy environments the host's cores usefully run; past it, scaling out waits `scaleOutWaitMs` first. 0: no limit. */
  readonly busyLimit?: number;
  readonly scaleOutWaitMs?: number;
}

export class Engine {
  private readonly pools = new Map<string, VersionPool>();
  /** Scaling rate per function (`<unqualified arn>`), shared by its versions. */
  private readonly scaleRates = new Map<string, ScaleRate>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closing = false;

  readonly capacity: HostCapacity;

  constructor(private readonly deps: EnvironmentDeps, private readonly options: EngineOptions) {
    this.capacity = new HostCapacity(options.memoryBudgetMb ?? 0, options.admissionWaitMs ?? 0, {
      busyLimit: options.busyLimit ?? 0, scaleOutWaitMs: options.scaleOutWaitMs ?? 0,
    });
    this.capacity.setEvictor((mb) => this.evictIdle(mb));
  }

  async invoke(spec: EnvironmentSpec, input: InvokeInput): Promise<InvocationOutcome> {
    if (this.closing) {
      return {
        kind: 'platform-error', requestId: input.requestId, executedVersion: spec.version, logLines: [],
        errorType: 'ServiceException', status: 500, message: 'Nimbus is shutting down and does not accept new invocations.',
      };
    }
    const run = this.poolOf(spec).invoke(spec, input);
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
      this.topUpSlots();
    }
  }

  /**
   * Refills the pre-started runtimes cold starts took, once the caller has its response: starting one blocks this
   * thread for milliseconds (spawn, cgroups), which no invocation in progress should wait for.
   */
  private topUpSlots(): void {
    const { slots } = this.deps;
    // Only after a cold start: a warm invocation schedules nothing.
    if (slots?.wanting === true) setImmediate(() => slots.topUp());
  }

  /** Keeps `count` environments of `spec` initialised ahead of invocations (provisioned concurrency; 0 releases). */
  provision(spec: EnvironmentSpec, count: number): void {
    if (this.closing) return;
    this.poolOf(spec).provision(spec, count);
    this.topUpSlots();
  }

  provisionedState(poolKey: string): ProvisionedState | undefined {
    return this.pools.get(poolKey)?.provisionedState;
  }

  /** Stops idle on-demand environments of any function, least recently used first, until `mb` is freed. */
  private evictIdle(mb: number): number {
    const candidates = [...this.pools.values()].flatMap((pool) => pool.evictable.map((env) => ({ pool, env })));
    candidates.sort((a, b) => a.env.lastUsedAt - b.env.lastUsedAt);
    let freed = 0;
    for (const { pool, env } of candidates) {
      if (freed >= mb) break;
      freed += env.spec.memoryMb;
      pool.evict(env);
    }
    return freed;
  }

  private poolOf(spec: EnvironmentSpec): VersionPool {
    let pool = this.pools.get(spec.poolKey);
    if (pool === undefined) {
      const fn = spec.poolKey.slice(0, spec.poolKey.lastIndexOf(':'));
      let rate = this.scaleRates.get(fn);
      if (rate === undefined) {
        rate = new ScaleRate(this.options.scaleUpPer10s ?? 0);
        this.scaleRates.set(fn, rate);
      }
      pool = new VersionPool(spec, this.deps, this.options.keepAliveMs, this.capacity, rate);
      this.pools.set(spec.poolKey, pool);
    }
    return pool;
  }

  /**
   * The function is gone (deleted): its idle environments stop now; invocations already running finish, as on
   * AWS, and their environments stop afterwards. The pool stays registered so shutdown still reaches them; a
   * function re-created under the same name brings a new generation to the same pool.
   */
  async retire(prefix: string): Promise<void> {
    for (const [key, pool] of this.pools) {
      if (key === prefix || key.startsWith(`${prefix}:`)) pool.retire(RETIRED);
    }
  }

  stats(): {
    pools: number; idle: number; busy: number; memoryCommittedMb: number; memoryBudgetMb: number; runtimeSlots: RuntimeSlotStats;
  } {
    let idle = 0;
    let busy = 0;
    for (const pool of this.pools.values()) {
      idle += pool.size.idle;
      busy += pool.size.busy;
    }
    return {
      pools: this.pools.size, idle, busy, memoryCommittedMb: this.capacity.committedMb, memoryBudgetMb: this.capacity.budgetMb,
      runtimeSlots: this.deps.slots?.stats ?? { available: false, ready: 0, readyByCommand: {}, handedOut: 0 },
    };
  }

  /**
   * 1. Refuse new invocations. 2. Wait up to `graceMs` for in-flight ones. 3. Stop every environment; an
   * invocation still running then fails with a clear platform error.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.closing = true;
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...this.inFlight]), grace]);
      clearTimeout(timer);
    }
    await Promise.all([...this.pools.values()].map((p) => p.stopAll()));
    this.pools.clear();
    await this.deps.slots?.close();
  }
}
