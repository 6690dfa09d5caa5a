// The closed-loop load behind the throughput figures and the leak check: wrk when it is on PATH (it does not cap
// the floor, see wrk.ts), else the Node client in the load worker. Both sides of a ratio always use the same one,
// and the report names it.
import type { HttpTarget, ThroughputSlice } from './http-load.js';
import type { LoadClient } from './load-client.js';
import { findWrk, wrkRun, writeWrkScript } from './wrk.js';

export interface LoadGenerator {
  /** For the report, e.g. "wrk 4.1.0 (-t1)". */
  readonly name: string;
  /** Unmeasured load, e.g. to start the environments a concurrency needs. */
  warmUp(target: HttpTarget, concurrency: number, ms: number): Promise<ThroughputSlice>;
  /** One measured run of `ms` (wrk rounds up to whole seconds). */
  slice(target: HttpTarget, concurrency: number, ms: number): Promise<ThroughputSlice>;
}

/** The load worker's throughput job; each slice first runs `sliceWarmupMs` unmeasured on its fresh connections. */
function nodeGenerator(load: LoadClient, sliceWarmupMs: number): LoadGenerator {
  const run = (target: HttpTarget, concurrency: number, durationMs: number, warmupMs: number) =>
    load.run({ kind: 'throughput', target, concurrency, durationMs, warmupMs });
  return {
    name: 'Node client (node:http, load worker thread)',
    warmUp: (target, concurrency, ms) => run(target, concurrency, 0, ms),
    slice: (target, concurrency, ms) => run(target, concurrency, ms, sliceWarmupMs),
  };
}

/** wrk's slices need no warm-up of their own: its connections open within the first milliseconds of the run. */
function wrkGenerator(wrk: string, version: string, script: string): LoadGenerator {
  const run = (target: HttpTarget, concurrency: number, ms: number) => wrkRun(wrk, script, target, concurrency, Math.max(1, Math.ceil(ms / 1000)));
  return { name: `wrk ${version} (-t1)`, warmUp: run, slice: run };
}

/** wrk if it is on PATH (its Lua script goes to `tmpDir`), else the Node client. */
export function pickGenerator(load: LoadClient, tmpDir: string, sliceWarmupMs: number): LoadGenerator {
  const wrk = findWrk();
  return wrk === undefined ? nodeGenerator(load, sliceWarmupMs) : wrkGenerator(wrk.path, wrk.version, writeWrkScript(tmpDir));
}
