// Scale-out burst: `n` simultaneous first invocations of one freshly created function (128 MB, so that a hundred
// fit the host memory budget), each on its own connection, timed until the last one is answered; every one needs
// a new environment. Each round runs on a fresh Nimbus (nothing else holds memory or CPU) and is stopped after,
// and is preceded by its floor: `n` Runtime API clients spawned at once, until the last one's first GET /next.
// Nimbus's scale-up rate (engine.scaleUpPer10s) and host memory budget (engine.memoryBudgetMb) are read before
// each burst: if either could refuse part of it, the report says so (the refused invocations are 429s).
import type { RuntimeApiFloor, RuntimeApiFloorBurst } from './floors.js';
import type { BurstResult } from './http-load.js';
import type { LoadClient } from './load-client.js';
import { invokeTarget } from './nimbus-scenarios.js';
import { environmentStats, HELLO_DIR, startBenchNimbus } from './nimbus-server.js';

export const BURST_MEMORY_MB = 128;

export interface BurstLimits {
  /** New environments per function per 10 s (0: unlimited); its bucket starts full. */
  readonly scaleUpPer10s: number;
  readonly memoryBudgetMb: number;
  /** Memory held by environments when the burst started. */
  readonly memoryCommittedMb: number;
  /** True if the rate or the budget cannot admit `n` new environments at once. */
  readonly limiting: boolean;
}

export interface BurstRound {
  readonly floor: RuntimeApiFloorBurst;
  readonly nimbus: BurstResult;
  /** Environments Nimbus had once the burst was answered (n if every invocation got its own). */
  readonly environments: number;
  readonly limits: BurstLimits;
}

export async function burstRound(tmp: string, load: LoadClient, floor: RuntimeApiFloor, n: number, round: number): Promise<BurstRound> {
  const floorBurst = await floor.burst(n);
  const nimbus = await startBenchNimbus(tmp);
  try {
    const endpoint = { port: nimbus.port };
    const name = `bench-burst-r${round}`;
    await load.run({ kind: 'deploy', endpoint, helloDir: HELLO_DIR, name, options: { memoryMb: BURST_MEMORY_MB } });
    const before = await environmentStats(nimbus.port);
    const scaleUpPer10s = nimbus.config.engine.scaleUpPer10s;
    const memoryBudgetMb = before?.memoryBudgetMb ?? Number.NaN;
    const memoryCommittedMb = before?.memoryCommittedMb ?? Number.NaN;
    const limiting = (scaleUpPer10s > 0 && scaleUpPer10s < n) || !(memoryBudgetMb === 0 || memoryCommittedMb + n * BURST_MEMORY_MB <= memoryBudgetMb);
    const result = await load.run({ kind: 'burst', target: invokeTarget(endpoint, name), n, timeoutMs: 60_000 });
    const after = await environmentStats(nimbus.port);
    return {
      floor: floorBurst,
      nimbus: result,
      environments: after === undefined ? Number.NaN : after.idle + after.busy,
      limits: { scaleUpPer10s, memoryBudgetMb, memoryCommittedMb, limiting },
    };
  } finally {
    await nimbus.stop();
  }
}
