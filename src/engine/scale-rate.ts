// Lambda's concurrency scaling rate: each function may add at most N new execution environments per 10 seconds
// (AWS: 1,000), refilled continuously and never accumulated beyond N. Reusing a warm environment costs nothing;
// a new one beyond the rate is throttled (429) rather than started.

export class ScaleRate {
  private tokens: number;
  private last: number;

  constructor(private readonly perTenSeconds: number, private readonly now: () => number = Date.now) {
    this.tokens = perTenSeconds;
    this.last = now();
  }

  /** True when a new environment may start now (nothing is taken: see `take`). */
  available(): boolean {
    if (this.perTenSeconds <= 0) return true;
    const t = this.now();
    this.tokens = Math.min(this.perTenSeconds, this.tokens + ((t - this.last) * this.perTenSeconds) / 10_000);
    this.last = t;
    return this.tokens >= 1;
  }

  /** Takes one new-environment token; false when the function is scaling faster than the rate allows. */
  take(): boolean {
    if (!this.available()) return false;
    if (this.perTenSeconds > 0) this.tokens -= 1;
    return true;
  }
}
