// `npm run bench`: measures Nimbus next to floors measured in the same run, prints one table and writes
// bench/results/latest.json. Ratios are the point: on this shared 2-vCPU machine absolute numbers drift
// ±20–30 % between runs, ratios to a floor measured minutes apart much less (performance-floors.md §6).
//
// 1. Start the floors' constant-JSON server, Nimbus (in-process, 127.0.0.1:0, temp data dir) and the load
//    worker thread.
// 2. Cold start, in rounds so drift hits both sides alike: per round, process-start and Runtime API
//    floors, then cold invokes of new Node and Python functions (pre-started runtimes: each kind is warmed once
//    first, so the pool is in its steady state), then cold invokes after UpdateFunctionConfiguration, then cold
//    invokes of new functions on a Nimbus with engine.runtimeSlots=0 (every cold start starts its runtime) and on
//    one without the bubblewrap sandbox (which also means no slots: the sandbox's cost is the difference).
//    Then the burst: 100 first invocations at once of a new function on a fresh Nimbus, after its floor (100
//    runtime processes spawned at once) — burst.ts.
// 3. Warm latency at concurrency 1 (node:http keep-alive, then the SDK), floor and Nimbus alternating in blocks;
//    then a no-op python3.12 handler.
// 4. Warm throughput at concurrency 1, 10 and 100 (10 with --quick), floor and Nimbus alternating in 1-s slices,
//    driven by wrk when it is on PATH, else by the Node client (load-generator.ts); async Event acceptance;
//    overload (100 at once against an account limit of 10: only 200s and 429s allowed).
// 5. Control plane: GetFunction (CreateFunction and UpdateFunctionConfiguration came with step 2).
// 6. Memory (memory.ts), on a Nimbus in its own process: idle RSS, RSS added per warm environment, and the leak
//    check (server RSS over 1,000,000 warm invocations; 20,000 with --quick), which takes most of a full run.
// 7. Stop everything and delete the temp dir, also on error, timeout or Ctrl-C. A full run also rewrites
//    docs/performance.md and docs/performance.svg.
//
// Flags: --quick (small samples, 1 s throughput runs, a short leak check; for profiling), --out <file>.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type BurstRound, burstRound } from './burst.js';
import { type FloorServer, nodeExitFloor, pythonExitFloor, RuntimeApiFloor, shWrappedNodeExitFloor, startConstantServer } from './floors.js';
import { combineSlices, type HttpTarget, type LatencyRun, type ThroughputResult, type ThroughputSlice } from './http-load.js';
import { LoadClient } from './load-client.js';
import { pickGenerator } from './load-generator.js';
import { measureMemory } from './memory.js';
import {
  type BenchNimbus, environmentStats, HELLO_DIR, type NimbusProcess, PY_HELLO_DIR, removeTempRoot, startBenchNimbus, startNimbusProcess, tempRoot,
} from './nimbus-server.js';
import { BENCH_MEMORY_MB, type ColdRun, type ColdSample, invokeTarget } from './nimbus-scenarios.js';
import { writeDocs } from './docs.js';
import { type ColdResults, renderTable, type Results, writeJson } from './report.js';
import { cpuSnapshot, type CpuSnapshot, noiseBetween } from './noise.js';
import { nowMs, summarize } from './stats.js';

const quick = process.argv.includes('--quick');
const DOCS = fileURLToPath(new URL('../../docs', import.meta.url));
const outIndex = process.argv.indexOf('--out');
const OUT = outIndex > 0 && process.argv[outIndex + 1] !== undefined
  ? process.argv[outIndex + 1] as string
  : fileURLToPath(new URL('../../bench/results/latest.json', import.meta.url));

const PLAN = quick
  ? {
    coldRounds: 1, coldPerRound: 5, burstRounds: 1, warmup: 100, latencyN: 500, blocks: 2, sdkWarmup: 20, sdkN: 100, slices: 1, sliceMs: 1000, sliceWarmupMs: 200, getN: 100,
    concurrencies: [1, 10],
    memory: { environments: 10, leakInvocations: 20_000, leakMaxMs: 120_000, leakChunkMs: 2_000, probeConcurrencies: [1, 2, 10] },
  }
  : {
    coldRounds: 3, coldPerRound: 5, burstRounds: 3, warmup: 300, latencyN: 2000, blocks: 10, sdkWarmup: 30, sdkN: 300, slices: 5, sliceMs: 1000, sliceWarmupMs: 200, getN: 300,
    concurrencies: [1, 10, 100],
    // ~1,000 warm invocations/s here, so about 17 minutes; the cap allows for a busier machine.
    memory: { environments: 10, leakInvocations: 1_000_000, leakMaxMs: 2_400_000, leakChunkMs: 15_000, probeConcurrencies: [1, 2, 10] },
  };
/** Longest wait for the async queue to drain after the Event load. */
const DRAIN_MAX_MS = 120_000;
/** Simultaneous first invocations of the burst. */
const BURST_N = 100;
/**
 * Hard cap on the whole run: the leak check stops by itself at PLAN.memory.leakMaxMs; the rest takes about 5 minutes
 * (2 with --quick), more on a busy machine, where the async queue may also take its full DRAIN_MAX_MS.
 */
const WATCHDOG_MS = 900_000 + PLAN.memory.leakMaxMs;
const HELLO = 'bench-hello';
const HELLO_SMALL = 'bench-hello-128';
const PY_HELLO = 'bench-python-hello';
const SLEEPER = 'bench-sleeper';
const SLEEPER_SOURCE = 'exports.handler = async (e) => { await new Promise((r) => setTimeout(r, e.ms ?? 0)); return {}; };\n';

function progress(msg: string): void {
  process.stderr.write(`bench: ${msg}\n`);
}

/** Failed requests by phase: reported, not hidden (see "Failures" under the table). */
class Failures {
  readonly list: Array<{ what: string; count: number; first: string }> = [];

  note(what: string, count: number, first: string | undefined): void {
    if (count > 0) this.list.push({ what, count, first: (first ?? '').slice(0, 300) });
  }

  samples(what: string, run: LatencyRun): number[] {
    this.note(what, run.errors, run.firstError);
    return run.samples;
  }

  cold(what: string, run: ColdRun): ColdSample[] {
    this.note(what, run.failures, run.firstFailure);
    return run.samples;
  }

  slices(what: string, slices: readonly ThroughputSlice[]): void {
    for (const s of slices) this.note(what, s.errors, s.firstError);
  }
}

function coldResults(samples: ColdSample[]): ColdResults {
  const nums = (pick: (s: ColdSample) => number | undefined) => samples.map(pick).filter((v): v is number => v !== undefined);
  return {
    invoke: summarize(nums((s) => s.invokeMs)),
    init: summarize(nums((s) => s.initDurationMs)),
    duration: summarize(nums((s) => s.durationMs)),
    control: summarize(nums((s) => s.controlMs)),
    settle: summarize(nums((s) => s.settleMs)),
    notCold: samples.filter((s) => s.initDurationMs === undefined).length,
    samples,
  };
}

interface Running {
  cpuStart?: CpuSnapshot;
  tmp?: string;
  floor?: FloorServer;
  nimbus?: BenchNimbus;
  bare?: BenchNimbus;
  unpooled?: BenchNimbus;
  overload?: BenchNimbus;
  server?: NimbusProcess;
  load?: LoadClient;
}

async function cleanup(r: Running): Promise<void> {
  await r.load?.terminate().catch(() => undefined);
  await r.nimbus?.stop().catch((err: unknown) => progress(`stopping Nimbus failed: ${String(err)}`));
  await r.bare?.stop().catch((err: unknown) => progress(`stopping the unsandboxed Nimbus failed: ${String(err)}`));
  await r.unpooled?.stop().catch((err: unknown) => progress(`stopping the Nimbus without pre-started runtimes failed: ${String(err)}`));
  await r.overload?.stop().catch((err: unknown) => progress(`stopping the overload Nimbus failed: ${String(err)}`));
  await r.server?.stop().catch((err: unknown) => progress(`stopping the Nimbus server process failed: ${String(err)}`));
  await r.floor?.close().catch(() => undefined);
  if (r.tmp !== undefined) removeTempRoot(r.tmp);
}

/** A public function URL for `name` (CreateFunctionUrlConfig + AddPermission) as a target: Host names the URL. */
async function functionUrlTarget(port: number, name: string): Promise<HttpTarget> {
  const api = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: object): Promise<Record<string, unknown>> => {
    const r = await fetch(`${api}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (r.status !== 201) throw new Error(`POST ${path}: HTTP ${r.status} ${await r.text()}`);
    return (await r.json()) as Record<string, unknown>;
  };
  const config = await post(`/2021-10-31/functions/${name}/url`, { AuthType: 'NONE' });
  await post(`/2015-03-31/functions/${name}/policy`, { StatementId: 'url', Action: 'lambda:InvokeFunctionUrl', Principal: '*', FunctionUrlAuthType: 'NONE' });
  return { port, method: 'POST', path: '/', body: '{}', headers: { Host: new URL(String(config['FunctionUrl'])).host } };
}

async function measure(r: Running): Promise<Results> {
  const t0 = nowMs();
  const loadavgBefore = loadavg();
  r.cpuStart = cpuSnapshot();
  const tmp = (r.tmp = tempRoot());
  const floor = (r.floor = await startConstantServer());
  const nimbus = (r.nimbus = await startBenchNimbus(tmp));
  const bare = (r.bare = await startBenchNimbus(tmp, 'none'));
  const unpooled = (r.unpooled = await startBenchNimbus(tmp, 'auto', {}, { runtimeSlots: 0 }));
  const load = (r.load = new LoadClient());
  const gen = pickGenerator(load, tmp, PLAN.sliceWarmupMs);
  const endpoint = { port: nimbus.port };
  const failures = new Failures();
  progress(`Nimbus at ${nimbus.url}, floor server at http://127.0.0.1:${floor.port}, temp dir ${tmp}; throughput by ${gen.name}`);

  // 2. Cold start.
  const rtFloor = RuntimeApiFloor.create(tmp, HELLO_DIR);
  await nodeExitFloor(); // page in node's binary before the first timed spawn
  const nodeExit: number[] = [];
  const shNodeExit: number[] = [];
  const pythonExit: number[] = [];
  const rtNext: number[] = [];
  const rtResponse: number[] = [];
  const fresh: ColdSample[] = [];
  const freshPython: ColdSample[] = [];
  const update: ColdSample[] = [];
  const freshUnpooled: ColdSample[] = [];
  const freshBare: ColdSample[] = [];
  // Each runtime kind's first cold start starts its pre-started runtimes (engine/runtime-slots.ts): not measured.
  await load.run({ kind: 'cold-fresh', endpoint, helloDir: HELLO_DIR, prefix: 'bench-cold-first', n: 1 });
  await load.run({ kind: 'cold-fresh', endpoint, helloDir: PY_HELLO_DIR, prefix: 'bench-cold-first-py', n: 1, runtime: 'python3.12' });
  for (let round = 0; round < PLAN.coldRounds; round++) {
    progress(`cold start round ${round + 1}/${PLAN.coldRounds}`);
    for (let i = 0; i < PLAN.coldPerRound; i++) {
      nodeExit.push(await nodeExitFloor());
      shNodeExit.push(await shWrappedNodeExitFloor());
      pythonExit.push(await pythonExitFloor());
      const s = await rtFloor.sample();
      rtNext.push(s.toFirstNextMs);
      rtResponse.push(s.toResponseMs);
    }
    fresh.push(...failures.cold('cold invoke, new function', await load.run({ kind: 'cold-fresh', endpoint, helloDir: HELLO_DIR, prefix: `bench-cold-r${round}`, n: PLAN.coldPerRound })));
    freshPython.push(...failures.cold('cold invoke, new python3.12 function', await load.run({
      kind: 'cold-fresh', endpoint, helloDir: PY_HELLO_DIR, prefix: `bench-cold-py-r${round}`, n: PLAN.coldPerRound, runtime: 'python3.12',
    })));
    update.push(...failures.cold('cold invoke after update', await load.run({ kind: 'cold-update', endpoint, helloDir: HELLO_DIR, name: `bench-update-r${round}`, n: PLAN.coldPerRound })));
    freshUnpooled.push(...failures.cold('cold invoke, runtime started', await load.run({ kind: 'cold-fresh', endpoint: { port: unpooled.port }, helloDir: HELLO_DIR, prefix: `bench-unpooled-r${round}`, n: PLAN.coldPerRound })));
    freshBare.push(...failures.cold('cold invoke, no sandbox', await load.run({ kind: 'cold-fresh', endpoint: { port: bare.port }, helloDir: HELLO_DIR, prefix: `bench-bare-r${round}`, n: PLAN.coldPerRound })));
  }
  await bare.stop();
  await unpooled.stop();

  // 2b. Burst of new environments, each round on a fresh Nimbus after its floor.
  const burst: BurstRound[] = [];
  for (let round = 0; round < PLAN.burstRounds; round++) {
    progress(`burst round ${round + 1}/${PLAN.burstRounds}: ${BURST_N} runtimes at once (floor), then ${BURST_N} first invocations at once`);
    const b = await burstRound(tmp, load, rtFloor, BURST_N, round);
    failures.note('burst floor (runtime exited without a response)', b.floor.failed, undefined);
    failures.note('burst', BURST_N - (b.nimbus.byStatus['200'] ?? 0), JSON.stringify({ ...b.nimbus.byStatus, hung: b.nimbus.hung, failed: b.nimbus.failed }));
    burst.push(b);
  }

  // 3. Warm latency, concurrency 1: floor and Nimbus alternate in blocks, so a burst of other work on this
  //    shared machine lands on both sides instead of skewing one.
  progress('warm latency at concurrency 1');
  await load.run({ kind: 'deploy', endpoint, helloDir: HELLO_DIR, name: HELLO });
  const nimbusInvoke = invokeTarget(endpoint, HELLO);
  const floorInvoke: HttpTarget = { ...nimbusInvoke, port: floor.port };
  const urlTarget = await functionUrlTarget(nimbus.port, HELLO);
  const latency = { floor: [] as number[], nimbus: [] as number[], url: [] as number[], floorSdk: [] as number[], nimbusSdk: [] as number[] };
  failures.samples('warm-up', await load.run({ kind: 'latency', target: floorInvoke, warmup: PLAN.warmup, count: 0 }));
  failures.samples('warm-up', await load.run({ kind: 'latency', target: nimbusInvoke, warmup: PLAN.warmup, count: 0 }));
  failures.samples('warm-up', await load.run({ kind: 'latency', target: urlTarget, warmup: PLAN.warmup, count: 0 }));
  for (let b = 0; b < PLAN.blocks; b++) {
    const count = Math.ceil(PLAN.latencyN / PLAN.blocks);
    latency.floor.push(...failures.samples('floor c=1', await load.run({ kind: 'latency', target: floorInvoke, warmup: 5, count })));
    latency.nimbus.push(...failures.samples('warm invoke c=1', await load.run({ kind: 'latency', target: nimbusInvoke, warmup: 5, count })));
    latency.url.push(...failures.samples('function URL c=1', await load.run({ kind: 'latency', target: urlTarget, warmup: 5, count })));
  }
  for (let b = 0; b < PLAN.blocks; b++) {
    const count = Math.ceil(PLAN.sdkN / PLAN.blocks);
    const warmup = b === 0 ? PLAN.sdkWarmup : 3;
    const common = { kind: 'sdk-latency', op: 'invoke', functionName: HELLO, warmup, count } as const;
    latency.floorSdk.push(...failures.samples('SDK floor', await load.run({ ...common, endpoint: { port: floor.port } })));
    latency.nimbusSdk.push(...failures.samples('SDK invoke', await load.run({ ...common, endpoint })));
  }

  // 3b. Warm latency of a no-op Python handler, concurrency 1 (same floor as above).
  progress('warm latency at concurrency 1, Python');
  await load.run({ kind: 'deploy', endpoint, helloDir: PY_HELLO_DIR, name: PY_HELLO, options: { runtime: 'python3.12' } });
  const pythonInvoke = invokeTarget(endpoint, PY_HELLO);
  failures.samples('warm-up', await load.run({ kind: 'latency', target: pythonInvoke, warmup: PLAN.warmup, count: 0 }));
  const pythonLatency = failures.samples('warm Python invoke c=1', await load.run({ kind: 'latency', target: pythonInvoke, warmup: 5, count: PLAN.latencyN }));

  // 4. Throughput: 1-s slices, floor and Nimbus alternating. Nimbus first gets one unmeasured second at the
  //    concurrency so that the environments it starts for it are warm before the first slice. Beyond
  //    concurrency 1 the function has 128 MB, so that a hundred environments fit the host's memory budget.
  await load.run({ kind: 'deploy', endpoint, helloDir: HELLO_DIR, name: HELLO_SMALL, options: { memoryMb: 128 } });
  const tput = { nimbus: [] as ThroughputResult[], floor: [] as ThroughputResult[], environments: [] as number[] };
  for (const concurrency of PLAN.concurrencies) {
    progress(`throughput at concurrency ${concurrency} (${PLAN.slices} × ${PLAN.sliceMs / 1000} s each for floor and Nimbus)`);
    const target = concurrency === 1 ? nimbusInvoke : invokeTarget(endpoint, HELLO_SMALL);
    failures.slices('throughput warm-up', [await gen.warmUp(target, concurrency, concurrency > 10 ? 8000 : 1000)]);
    const floorSlices: ThroughputSlice[] = [];
    const nimbusSlices: ThroughputSlice[] = [];
    for (let i = 0; i < PLAN.slices; i++) {
      floorSlices.push(await gen.slice(floorInvoke, concurrency, PLAN.sliceMs));
      nimbusSlices.push(await gen.slice(target, concurrency, PLAN.sliceMs));
    }
    failures.slices(`floor throughput c=${concurrency}`, floorSlices);
    failures.slices(`throughput c=${concurrency}`, nimbusSlices);
    tput.floor.push(combineSlices(floorSlices));
    tput.nimbus.push(combineSlices(nimbusSlices));
    const envs = await environmentStats(nimbus.port);
    tput.environments.push(envs === undefined ? Number.NaN : envs.idle + envs.busy);
  }

  // 4b. Async: Event invokes accepted per second (each a committed SQLite row) while the worker delivers them,
  //     then the time until the queue is drained.
  progress(`async Event invocations at concurrency 4 (${PLAN.slices} × ${PLAN.sliceMs / 1000} s)`);
  const eventTarget: HttpTarget = { ...nimbusInvoke, headers: { 'X-Amz-Invocation-Type': 'Event' } };
  const asyncStart = nowMs();
  const eventSlices: ThroughputSlice[] = [];
  for (let i = 0; i < PLAN.slices; i++) eventSlices.push(await load.run({ kind: 'throughput', concurrency: 4, durationMs: PLAN.sliceMs, warmupMs: 0, target: eventTarget }));
  failures.slices('async accept c=4', eventSlices);
  const { delivered, undrained } = await drainQueue(nimbus.port, DRAIN_MAX_MS);
  const asyncResult = { accepted: combineSlices(eventSlices), delivered, undrained, deliveredPerSec: delivered / ((nowMs() - asyncStart) / 1000) };

  // 4c. Overload: ten times the allowed concurrency at once, on a Nimbus whose account limit is 10. Every request
  //     must end as a success or a 429: no 5xx, no hung request.
  progress('overload: 100 concurrent invocations against an account limit of 10');
  const small = (r.overload = await startBenchNimbus(tmp, 'auto', { concurrentExecutions: 10, minUnreservedConcurrency: 0 }));
  await load.run({ kind: 'deploy', endpoint: { port: small.port }, helloDir: HELLO_DIR, name: SLEEPER, options: { memoryMb: 128, source: SLEEPER_SOURCE } });
  const overload = await load.run({ kind: 'burst', target: { ...invokeTarget({ port: small.port }, SLEEPER), body: '{"ms":300}' }, n: 100, timeoutMs: 30_000 });
  await small.stop();

  // 5. Control plane.
  progress('control plane');
  const getTarget = (port: number): HttpTarget => ({ port, method: 'GET', path: `/2015-03-31/functions/${HELLO}` });
  const floorGet = failures.samples('floor GET', await load.run({ kind: 'latency', target: getTarget(floor.port), warmup: 20, count: PLAN.getN }));
  const getFunctionHttp = failures.samples('GetFunction', await load.run({ kind: 'latency', target: getTarget(nimbus.port), warmup: 20, count: PLAN.getN }));
  const getFunctionSdk = failures.samples('SDK GetFunction', await load.run({ kind: 'sdk-latency', endpoint, op: 'get-function', functionName: HELLO, warmup: 20, count: PLAN.getN }));

  const health = (await (await fetch(`http://127.0.0.1:${nimbus.port}/_nimbus/health`)).json()) as { protections: Record<string, string> };
  const protectionsLine = Object.entries(health.protections).map(([k, v]) => `${k}=${v}`).join(' ');

  // 6. Memory, on a Nimbus in its own process; the in-process one stops first, so that its environments take no
  //    CPU or memory meanwhile.
  await nimbus.stop();
  progress('memory: the Nimbus server process, idle');
  const server = (r.server = await startNimbusProcess(tmp));
  const memory = await measureMemory(server, load, gen, PLAN.memory, progress);
  failures.note('leak check', memory.leak.errors, memory.leak.firstError);
  await server.stop();

  const cpu = cpus();
  return {
    meta: {
      startedAt: new Date(Date.now() - (nowMs() - t0)).toISOString(),
      node: process.version,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      loadavgBefore,
      loadavgAfter: loadavg(),
      seconds: (nowMs() - t0) / 1000,
      quick,
      setup: `Nimbus in-process (main thread) + floor servers on the main thread; clients on one worker thread, throughput load by ${gen.name}; ` +
        `memory figures on a Nimbus server process; 127.0.0.1 only; function MemorySize ${BENCH_MEMORY_MB} MB (one vCPU) unless a row says otherwise; protections ${protectionsLine}`,
    },
    floors: {
      nodeExit: summarize(nodeExit),
      shNodeExit: summarize(shNodeExit),
      pythonExit: summarize(pythonExit),
      runtimeApiFirstNext: summarize(rtNext),
      runtimeApiResponse: summarize(rtResponse),
    },
    cold: {
      fresh: coldResults(fresh), freshPython: coldResults(freshPython), update: coldResults(update),
      freshUnpooled: coldResults(freshUnpooled), freshWithoutSandbox: coldResults(freshBare),
    },
    warm: {
      nimbusHttp: summarize(latency.nimbus), floorHttp: summarize(latency.floor), pythonHttp: summarize(pythonLatency), functionUrl: summarize(latency.url),
      nimbusSdk: summarize(latency.nimbusSdk), floorSdk: summarize(latency.floorSdk),
    },
    burst: { n: BURST_N, rounds: burst },
    throughput: { ...tput, generator: gen.name },
    memory,
    async: asyncResult,
    overload,
    failures: failures.list,
    control: { getFunctionHttp: summarize(getFunctionHttp), getFunctionSdk: summarize(getFunctionSdk), floorGet: summarize(floorGet) },
  };
}

/**
 * Polls health until no async event is queued, retrying or in flight, or `maxMs` has passed (a throttled delivery
 * backs off for up to 5 minutes, as on Lambda); returns the events delivered and those still waiting.
 */
async function drainQueue(port: number, maxMs: number): Promise<{ delivered: number; undrained: number }> {
  const until = nowMs() + maxMs;
  for (;;) {
    const q = ((await (await fetch(`http://127.0.0.1:${port}/_nimbus/health`)).json()) as { async: { queued: number; retrying: number; inFlight: number; delivered: number } }).async;
    const undrained = q.queued + q.retrying + q.inFlight;
    if (undrained === 0 || nowMs() > until) return { delivered: q.delivered, undrained };
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function main(): Promise<number> {
  const running: Running = {};
  let cleaning: Promise<void> | undefined;
  const cleanOnce = () => (cleaning ??= cleanup(running));
  let aborted = false;
  const abort = (why: string, code: number) => {
    aborted = true;
    progress(`${why}; cleaning up`);
    const force = setTimeout(() => process.exit(code), 10_000);
    force.unref();
    void cleanOnce().finally(() => process.exit(code));
  };
  const watchdog = setTimeout(() => abort(`gave up after ${WATCHDOG_MS / 1000} s`, 2), WATCHDOG_MS);
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  try {
    const measured = await measure(running);
    await cleanOnce(); // first, so that the runtimes' CPU time is counted as the bench's own
    const noise = running.cpuStart === undefined ? undefined : noiseBetween(running.cpuStart, cpuSnapshot());
    const results: Results = noise === undefined ? measured : { ...measured, meta: { ...measured.meta, noise } };
    process.stdout.write(`\n${renderTable(results)}\n`);
    writeJson(OUT, results);
    process.stdout.write(`\nResults written to ${OUT}\n`);
    if (!quick) {
      writeDocs(DOCS, results);
      process.stdout.write(`docs/performance.md and docs/performance.svg updated\n`);
    }
    if (results.cold.fresh.notCold + results.cold.update.notCold > 0) {
      progress('warning: some "cold" invocations reported no Init Duration (they reused a warm environment)');
    }
    return 0;
  } catch (err) {
    if (!aborted) progress(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanOnce();
    return 1;
  } finally {
    clearTimeout(watchdog);
  }
}

process.exitCode = await main();
