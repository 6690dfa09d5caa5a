// The host's memory as a budget for execution environments. Every environment holds its MemorySize from the
// moment it is created until it stops. A new environment that does not fit first makes room by stopping idle
// on-demand environments (least recently used first, any function); if it still does not fit, the invocation
// waits a bounded time for an environment to stop or become idle, and is then refused (429), so the host is
// never overcommitted into an OOM and no request hangs.

/** What a new environment holds: released exactly once, when the environment stops. */
export interface Lease {
  readonly mb: number;
  release(): void;
}

/** Stops idle on-demand environments (oldest first) until at least `mb` is freed or none is left; returns MB freed. */
export type IdleEvictor = (mb: number) => number;

export class HostCapacity {
  private committed = 0;
  private waiters: Array<() => void> = [];
  private evictor: IdleEvictor = () => 0;

  /** `budgetMb` 0 means no budget (every environment fits). */
  constructor(readonly budgetMb: number, readonly waitMs: number) {}

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
