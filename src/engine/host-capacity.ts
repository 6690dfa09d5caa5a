// The host's memory as a budget for execution environments. Every environment holds its MemorySize from the
// moment it is created until it stops. A new environment that does not fit first makes room by stopping idle
// on-demand environments (least recently used first, any function); if it still does not fit, the invocation
// waits a bounded time for an environment to stop or become idle, and is then refused (429), so the host is
// never overcommitted into an OOM and no request hangs.
//
// The host's cores too: past `busyLimit` busy environments (engine.busyPerCore per core), another environment
// adds no throughput for short invocations, only switching (notes/performance-floors.md: 15.0k invocations/s at
// c=10 with 2 environments on 2 cores, 11.8k with 10). There, an invocation whose version has environments busy
// first waits up to `scaleOutWaitMs` for one of them to free up, and starts a new one only if none did.

/** What a new environment holds: released exactly once, when the environment stops. */
export interface Lease {
  readonly mb: number;
  release(): void;
}

/** Stops idle on-demand environments (oldest first) until at least `mb` is freed or none is left; returns MB freed. */
export type IdleEvictor = (mb: number) => number;

export class HostCapacity {
  private committed = 0;
  private busy = 0;
  private waiters: Array<() => void> = [];
  private evictor: IdleEvictor = () => 0;

  /**
   * `budgetMb` 0 means no budget (every environment fits); `cpu.busyLimit` 0: no limit on busy environments before
   * scaling out.
   */
  constructor(
    readonly budgetMb: number,
    readonly waitMs: number,
    private readonly cpu: { readonly busyLimit: number; readonly scaleOutWaitMs: number } = { busyLimit: 0, scaleOutWaitMs: 0 },
  ) {}

  /** How long an invocation waits for a busy environment of its version before it starts another (saturated host). */
  get scaleOutWaitMs(): number {
    return this.cpu.scaleOutWaitMs;
  }

  /** True while as many environments are busy as the host's cores can usefully run. */
  get saturated(): boolean {
    return this.cpu.busyLimit > 0 && this.busy >= this.cpu.busyLimit;
  }

  /** An environment took an invocation (pair with `idle()` when it is done with it). */
  busyStarted(): void {
    this.busy += 1;
  }

  busyEnded(): void {
    this.busy -= 1;
  }

  get committedMb(): number {
    return this.committed;
  }

  setEvictor(evictor: IdleEvictor): void {
    this.evictor = evictor;
  }

  /** A lease for `mb` now (stopping idle environments to make room), or undefined when it cannot fit. */
  tryAcquire(mb: number): Lease | undefined {
    if (this.budgetMb > 0 && this.committed + mb > this.budgetMb) {
      this.evictor(this.committed + mb - this.budgetMb);
      if (this.committed + mb > this.budgetMb) return undefined;
    }
    this.committed += mb;
    let released = false;
    return {
      mb,
      release: () => {
        if (released) return;
        released = true;
        this.committed -= mb;
        this.changed();
      },
    };
  }

  /** Resolves when an environment stops or becomes idle, or at `deadline` (epoch ms), whichever is first. */
  nextChange(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  /** An environment stopped or became idle: invocations waiting for room look again. */
  changed(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }
}
