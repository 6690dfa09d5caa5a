// Memory of the Nimbus server, run as its own process (`nimbus serve`) so that nothing of the bench is in its RSS:
//   1. idle: the server's RSS once start-up has settled, before any function exists; floor: an idle node:http
//      server process, read the same way.
//   2. per warm environment: N environments of a 128 MB no-op Node function, started by N concurrent clients and
//      then left idle; the whole process tree (server + descendants) minus the idle tree, ÷ N; floor: the runtime
//      processes' own RSS (the tree's leaves named node). The difference is the platform's overhead per
//      environment: the sandbox processes (bubblewrap stays as the runtime's parent, and its PID-namespace init
//      as a second process) and the server's own growth.
//   3. leak check: the server's RSS before and after `target` warm invocations of a no-op function, read between
//      chunks of load, at the concurrency that served fastest in a short probe.
// Every figure is given as VmRSS and PSS (see proc-memory.ts: summed VmRSS counts shared pages once per process).
import type { LoadClient } from './load-client.js';
import type { LoadGenerator } from './load-generator.js';
import { BENCH_MEMORY_MB, invokeTarget } from './nimbus-scenarios.js';
import { HELLO_DIR, type NimbusProcess } from './nimbus-server.js';
import { leaves, type ProcMemory, procMemory, processTree, sumKb } from './proc-memory.js';
import { idleNodeServerRssKb } from './floors.js';
import { median, nowMs } from './stats.js';

/** How long after start (and after load) the server is left alone before a reading. */
export const SETTLE_MS = 1000;

export interface MemoryPlan {
  /** Warm environments for the per-environment figure. */
  readonly environments: number;
  /** Invocations of the leak check. */
  readonly leakInvocations: number;
  /** The leak check stops here even if it has not done `leakInvocations` (the report says how many it did). */
  readonly leakMaxMs: number;
  /** Length of one chunk of load between two readings. */
  readonly leakChunkMs: number;
  /** Concurrencies tried (one chunk each) before the leak check; it runs at the fastest. */
  readonly probeConcurrencies: readonly number[];
}

/** Both measures of one thing, MB. */
export interface Mb {
  readonly rss: number;
  readonly pss: number;
}

export interface MemoryResults {
  readonly idle: { readonly server: Mb; readonly tree: Mb; readonly floorNodeServerRss: number };
  readonly warm: {
    /** Runtime processes found in the tree (the environments measured). */
    readonly environments: number;
    readonly tree: Mb;
    /** (tree − idle tree) ÷ environments. */
    readonly addedPerEnv: Mb;
    /** Median runtime process. */
    readonly runtime: Mb;
    /** Sandbox processes (everything but the server and the runtimes, minus what the idle tree had) ÷ environments. */
    readonly sandboxPerEnv: Mb;
    /** (server − idle server) ÷ environments. */
    readonly serverGrowthPerEnv: Mb;
  };
  readonly leak: {
    readonly target: number;
    /** Invocations answered (successful or not) during the measured chunks. */
    readonly invocations: number;
    readonly errors: number;
    readonly firstError?: string;
    readonly seconds: number;
    readonly concurrency: number;
    readonly functionMemoryMb: number;
    readonly probe: ReadonlyArray<{ readonly concurrency: number; readonly reqPerSec: number }>;
    readonly rssStartMb: number;
    readonly rssEndMb: number;
    readonly growthPct: number;
    /** Server RSS after each chunk. */
    readonly samples: ReadonlyArray<{ readonly invocations: number; readonly rssMb: number }>;
  };
}

const MB = 1024;
const mb = (kb: number) => kb / MB;
const both = (procs: readonly ProcMemory[]): Mb => ({ rss: mb(sumKb(procs, (p) => p.rssKb)), pss: mb(sumKb(procs, (p) => p.pssKb)) });
const minus = (a: Mb, b: Mb, per = 1): Mb => ({ rss: (a.rss - b.rss) / per, pss: (a.pss - b.pss) / per });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverRssMb(pid: number): number {
  return mb(procMemory(pid)?.rssKb ?? Number.NaN);
}

/** Runtime processes: leaves of the server's tree named node (its helpers, e.g. the cgroup reaper, are sh). */
const runtimesOf = (tree: readonly ProcMemory[]) => leaves(tree).filter((p) => p.comm === 'node');

export async function measureMemory(server: NimbusProcess, load: LoadClient, gen: LoadGenerator, plan: MemoryPlan, progress: (msg: string) => void): Promise<MemoryResults> {
  // 1. Idle.
  await sleep(SETTLE_MS);
  const idleTree = processTree(server.pid);
  const floorNodeServerRss = mb(await idleNodeServerRssKb(SETTLE_MS));
  const idleServer = both(idleTree.slice(0, 1));

  // 2. N warm environments of a 128 MB function (N concurrent clients for 2 s start N), then idle.
  progress(`memory: ${plan.environments} warm environments of a 128 MB function`);
  const endpoint = { port: server.port };
  await load.run({ kind: 'deploy', endpoint, helloDir: HELLO_DIR, name: 'bench-mem-128', options: { memoryMb: 128 } });
  await gen.warmUp(invokeTarget(endpoint, 'bench-mem-128'), plan.environments, 2000);
  await sleep(SETTLE_MS);
  const warmTree = processTree(server.pid);
  // Every runtime process counts: the warm environments and the pre-started runtimes (engine.runtimeSlots) that
  // their cold starts asked for, which sit in the same sandbox chain.
  const runtimes = runtimesOf(warmTree);
  const n = runtimes.length;
  const helpers = (tree: readonly ProcMemory[]) => tree.slice(1).filter((p) => !runtimes.includes(p));
  const warm = {
    environments: n,
    tree: both(warmTree),
    addedPerEnv: minus(both(warmTree), both(idleTree), n),
    runtime: { rss: mb(median(runtimes.map((p) => p.rssKb))), pss: mb(median(runtimes.map((p) => p.pssKb))) },
    sandboxPerEnv: minus(both(helpers(warmTree)), both(helpers(idleTree)), n),
    serverGrowthPerEnv: minus(both(warmTree.slice(0, 1)), idleServer, n),
  };

  // 3. Leak check on a one-vCPU function (a 128 MB one gets 7 % of a core, which would make it the bottleneck).
  const leak = await leakCheck(server, load, gen, plan, progress);
  return { idle: { server: idleServer, tree: both(idleTree), floorNodeServerRss }, warm, leak };
}

async function leakCheck(server: NimbusProcess, load: LoadClient, gen: LoadGenerator, plan: MemoryPlan, progress: (msg: string) => void): Promise<MemoryResults['leak']> {
  const endpoint = { port: server.port };
  await load.run({ kind: 'deploy', endpoint, helloDir: HELLO_DIR, name: 'bench-mem-leak' });
  const target = invokeTarget(endpoint, 'bench-mem-leak');
  // The probe is also the warm-up: every environment the chosen concurrency needs exists before the first reading.
  const probe: Array<{ concurrency: number; reqPerSec: number }> = [];
  for (const concurrency of plan.probeConcurrencies) {
    await gen.warmUp(target, concurrency, 1000);
    const s = await gen.slice(target, concurrency, 1000);
    probe.push({ concurrency, reqPerSec: s.requests / s.seconds });
  }
  const best = probe.reduce((a, b) => (b.reqPerSec > a.reqPerSec ? b : a));
  await gen.warmUp(target, best.concurrency, 1000);
  progress(`memory: leak check, ${plan.leakInvocations.toLocaleString('en-US')} invocations at c=${best.concurrency} (${gen.name}): ` +
    `about ${Math.round(plan.leakInvocations / best.reqPerSec)} s at ${Math.round(best.reqPerSec)} req/s, stopping after ${plan.leakMaxMs / 1000} s at most`);

  await sleep(SETTLE_MS);
  const rssStartMb = serverRssMb(server.pid);
  const samples = [{ invocations: 0, rssMb: rssStartMb }];
  let invocations = 0;
  let errors = 0;
  let firstError: string | undefined;
  let rate = best.reqPerSec;
  const t0 = nowMs();
  while (invocations < plan.leakInvocations && nowMs() - t0 < plan.leakMaxMs) {
    const ms = Math.min(plan.leakChunkMs, Math.max(1000, ((plan.leakInvocations - invocations) / rate) * 1000));
    const s = await gen.slice(target, best.concurrency, ms);
    invocations += s.requests + s.errors;
    errors += s.errors;
    firstError ??= s.firstError;
    rate = Math.max(1, s.requests / s.seconds);
    samples.push({ invocations, rssMb: serverRssMb(server.pid) });
  }
  const seconds = (nowMs() - t0) / 1000;
  await sleep(SETTLE_MS);
  const rssEndMb = serverRssMb(server.pid);
  const out = {
    target: plan.leakInvocations, invocations, errors, seconds, concurrency: best.concurrency, functionMemoryMb: BENCH_MEMORY_MB, probe,
    rssStartMb, rssEndMb, growthPct: ((rssEndMb - rssStartMb) / rssStartMb) * 100, samples,
  };
  return firstError === undefined ? out : { ...out, firstError };
}
