// Injected time source so state machines and timers can be tested with a fake clock.

export interface Clock {
  /** Wall-clock epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds with sub-millisecond precision, for durations. */
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** AWS's timestamp format for `Timestamp`-typed fields: `2024-05-01T12:00:00.000+0000`. */
export function awsTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '+0000');
}
