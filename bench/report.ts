// Turns one run's results into the printed table (metric | Nimbus | floor | Nimbus÷floor | reference) and the
// JSON file. Reference figures are the published anchors and earlier measurements from
// ../shared/notes/performance-floors.md; they were taken on other days and tools, so only the same-run
// floor column is a fair comparison.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BURST_MEMORY_MB as BURST_MB, type BurstRound } from './burst.js';
import type { BurstResult, ThroughputResult } from './http-load.js';
import type { MemoryResults } from './memory.js';
import type { ColdSample } from './nimbus-scenarios.js';
import type { Noise } from './noise.js';
import { summarize, type Summary } from './stats.js';

export interface ColdResults {
  readonly invoke: Summary;
  readonly init: Summary;
  readonly duration: Summary;
  readonly control: Summary;
  readonly settle: Summary;
  /** Samples whose REPORT line had no Init Duration (should be 0). */
  readonly notCold: number;
  readonly samples: readonly ColdSample[];
}

export interface Results {
  readonly meta: {
    readonly startedAt: string;
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly loadavgBefore: readonly number[];
    readonly loadavgAfter: readonly number[];
    readonly seconds: number;
    readonly quick: boolean;
    readonly setup: string;
    readonly noise?: Noise;
  };
  readonly floors: {
    readonly nodeExit: Summary;
    readonly shNodeExit: Summary;
    /** The host's python3, spawn → exit. */
    readonly pythonExit: Summary;
    readonly runtimeApiFirstNext: Summary;
    readonly runtimeApiResponse: Summary;
  };
  /** New functions take pre-started runtimes (fresh, freshPython, update); freshUnpooled starts each runtime (engine.runtimeSlots=0). */
  readonly cold: {
    readonly fresh: ColdResults; readonly freshPython: ColdResults; readonly update: ColdResults;
    readonly freshUnpooled: ColdResults; readonly freshWithoutSandbox: ColdResults;
  };
  /** `n` simultaneous first invocations of a new function, per round next to its floor (burst.ts). */
  readonly burst?: { readonly n: number; readonly rounds: readonly BurstRound[] };
  readonly warm: {
    readonly nimbusHttp: Summary;
    readonly floorHttp: Summary;
    /** The same function through its function URL (POST /, payload 2.0 event, result mapping). */
    readonly functionUrl: Summary;
    readonly nimbusSdk: Summary;
    readonly floorSdk: Summary;
    /** A no-op python3.12 handler through node:http keep-alive. */
    readonly pythonHttp?: Summary;
  };
  readonly throughput: {
    readonly nimbus: readonly ThroughputResult[];
    readonly floor: readonly ThroughputResult[];
    /** Environments Nimbus had after the run at each concurrency. */
    readonly environments: readonly number[];
    /** The load generator of both sides (load-generator.ts). */
    readonly generator?: string;
  };
  /** The Nimbus server process: idle RSS, RSS per warm environment, leak check (memory.ts). */
  readonly memory?: MemoryResults;
  /** InvocationType Event: accepted (202, stored) per second while the worker delivers, and the delivery rate. */
  readonly async?: {
    readonly accepted: ThroughputResult;
    readonly delivered: number;
    /** Events still queued, retrying or in flight when the bench stopped waiting for the queue to drain. */
    readonly undrained?: number;
    readonly deliveredPerSec: number;
  };
  /** 10× the account concurrency limit at once: how each request ended. */
  readonly overload?: BurstResult;
  /** Requests that failed, by phase (excluded from the figures). */
  readonly failures: ReadonlyArray<{ readonly what: string; readonly count: number; readonly first: string }>;
  readonly control: {
    readonly getFunctionHttp: Summary;
    readonly getFunctionSdk: Summary;
    readonly floorGet: Summary;
  };
}

export function ms(v: number): string {
  if (!Number.isFinite(v)) return '—';
  if (v < 1) return v.toFixed(3);
  if (v < 10) return v.toFixed(2);
  return v.toFixed(1);
}

const pair = (s: Summary, hi: 'p90' | 'p99') => `${ms(s.p50)} / ${ms(s[hi])} ms`;
const rps = (v: number) => `${Math.round(v).toLocaleString('en-US')} req/s`;
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const mb = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} MB` : '—');
const mbPss = (m: { rss: number; pss: number }) => `${mb(m.rss)} (PSS ${m.pss.toFixed(1)})`;
const range = (s: Summary, fmt: (v: number) => string) => (s.n > 1 ? `${fmt(s.p50)} (${fmt(s.min)}–${fmt(s.max)})` : fmt(s.p50));
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '—');

type Row = readonly [metric: string, nimbus: string, floor: string, ratio: string, reference: string];

export function rows(r: Results): Array<Row | string> {
  const f = r.floors;
  const { fresh, freshPython: py, update, freshUnpooled: unpooled, freshWithoutSandbox: bare } = r.cold;
  const out: Array<Row | string> = [];
  out.push(`Cold start (N=${fresh.invoke.n} per mode; p50 / p90)`);
  out.push(['cold Invoke, new function (client)', pair(fresh.invoke, 'p90'), `${pair(f.runtimeApiResponse, 'p90')} ¹`, ratio(fresh.invoke.p50, f.runtimeApiResponse.p50), 'pre-started runtime; target ≤ 10 ms']);
  out.push(['  Init Duration (REPORT)', pair(fresh.init, 'p90'), `${pair(f.runtimeApiFirstNext, 'p90')} ²`, ratio(fresh.init.p50, f.runtimeApiFirstNext.p50), 'AWS nodejs20.x 141 / 163 ms; hand-written client 48.5']);
  out.push(['  Duration (REPORT)', pair(fresh.duration, 'p90'), '', '', 'AWS 1st invoke 3.0–3.5 ms (≥256 MB)']);
  out.push(['cold Invoke, new python3.12 function', pair(py.invoke, 'p90'), `${pair(f.pythonExit, 'p90')} ⁸`, ratio(py.invoke.p50, f.pythonExit.p50), 'pre-started runtime; target ≤ 6 ms']);
  out.push(['  Init Duration (REPORT)', pair(py.init, 'p90'), `${pair(f.pythonExit, 'p90')} ⁸`, ratio(py.init.p50, f.pythonExit.p50), 'AWS python3.12 84 / 101 ms']);
  out.push(['cold Invoke after UpdateFunctionConfig', pair(update.invoke, 'p90'), `${pair(f.runtimeApiResponse, 'p90')} ¹`, ratio(update.invoke.p50, f.runtimeApiResponse.p50), 'pre-started runtime']);
  out.push(['  Init Duration (REPORT)', pair(update.init, 'p90'), `${pair(f.runtimeApiFirstNext, 'p90')} ²`, ratio(update.init.p50, f.runtimeApiFirstNext.p50), '']);
  out.push(['cold Invoke, runtime started for it', pair(unpooled.invoke, 'p90'), `${pair(f.runtimeApiResponse, 'p90')} ¹`, ratio(unpooled.invoke.p50, f.runtimeApiResponse.p50), 'engine.runtimeSlots=0; prototype 56.6 ms']);
  out.push(['  Init Duration (REPORT)', pair(unpooled.init, 'p90'), `${pair(f.runtimeApiFirstNext, 'p90')} ²`, ratio(unpooled.init.p50, f.runtimeApiFirstNext.p50), `a pre-started runtime saves ${ms(unpooled.init.p50 - fresh.init.p50)} ms (p50)`]);
  out.push(['cold Invoke, new function, no sandbox', pair(bare.invoke, 'p90'), `${pair(f.runtimeApiResponse, 'p90')} ¹`, ratio(bare.invoke.p50, f.runtimeApiResponse.p50), 'isolation=none: cgroups only, runtime started']);
  out.push(['  Init Duration (REPORT)', pair(bare.init, 'p90'), `${pair(f.runtimeApiFirstNext, 'p90')} ²`, ratio(bare.init.p50, f.runtimeApiFirstNext.p50), `sandbox adds ${ms(unpooled.init.p50 - bare.init.p50)} ms (p50)`]);
  out.push(['floor: node -e 0, spawn → exit', '', pair(f.nodeExit, 'p90'), '', 'node -e 0: 43.2 ms']);
  out.push(['floor: sh -c exec node -e 0', '', pair(f.shNodeExit, 'p90'), ratio(f.shNodeExit.p50, f.nodeExit.p50) + ' of bare', '']);

  if (r.burst !== undefined) out.push(...burstRows(r.burst));

  const w = r.warm;
  out.push(`Warm Invoke, concurrency 1 (p50 / p99)`);
  out.push([`node:http keep-alive (N=${w.nimbusHttp.n})`, pair(w.nimbusHttp, 'p99'), `${pair(w.floorHttp, 'p99')} ³`, ratio(w.nimbusHttp.p50, w.floorHttp.p50), 'prototype 0.073 / 0.86; floor 0.021 (wrk); AWS ~25 ms']);
  out.push([`function URL, node:http (N=${w.functionUrl.n})`, pair(w.functionUrl, 'p99'), `${pair(w.floorHttp, 'p99')} ³`, ratio(w.functionUrl.p50, w.floorHttp.p50),
    `${w.functionUrl.p50 >= w.nimbusHttp.p50 ? '+' : '−'}${ms(Math.abs(w.functionUrl.p50 - w.nimbusHttp.p50))} ms vs Invoke (p50)`]);
  out.push([`@aws-sdk/client-lambda (N=${w.nimbusSdk.n})`, pair(w.nimbusSdk, 'p99'), `${pair(w.floorSdk, 'p99')} ⁴`, ratio(w.nimbusSdk.p50, w.floorSdk.p50), '']);
  if (w.pythonHttp !== undefined) {
    out.push([`python3.12, node:http keep-alive (N=${w.pythonHttp.n})`, pair(w.pythonHttp, 'p99'), `${pair(w.floorHttp, 'p99')} ³`, ratio(w.pythonHttp.p50, w.floorHttp.p50), '']);
  }

  const t = r.throughput;
  out.push(`Warm throughput (${t.generator ?? 'Node client'}, closed loop, ${(t.nimbus[0]?.seconds ?? 0).toFixed(0)} s each; p50 / p99 latency under load)`);
  t.nimbus.forEach((n, i) => {
    const fl = t.floor[i];
    if (fl === undefined) return;
    const envs = t.environments[i];
    const ref = n.concurrency === 1 ? 'prototype 12.6k (0.28× floor 45k, wrk); sls-offline in-proc 10.7k'
      : n.concurrency === 10 ? 'prototype c=10: 15.0k (2 envs); here 128 MB = 7% of a core per env' : '128 MB functions: CPU share, as on Lambda';
    const size = n.concurrency === 1 ? '' : ', 128 MB';
    out.push([`c=${n.concurrency} req/s${size}${envs === undefined ? '' : ` (${envs} env${envs === 1 ? '' : 's'})`}`, rps(n.reqPerSec), `${rps(fl.reqPerSec)} ³`, ratio(n.reqPerSec, fl.reqPerSec), ref]);
    out.push([`  latency at c=${n.concurrency}`, pair(n.latencyMs, 'p99'), pair(fl.latencyMs, 'p99'), ratio(n.latencyMs.p50, fl.latencyMs.p50), '']);
  });

  const a = r.async;
  if (a !== undefined) {
    out.push(`Async invocation (InvocationType Event, closed loop, ${a.accepted.seconds} s; deliveries run meanwhile)`);
    out.push([`accepted c=${a.accepted.concurrency} (202 after the SQLite commit)`, rps(a.accepted.reqPerSec), '', '', '']);
    out.push([`  accept latency at c=${a.accepted.concurrency}`, pair(a.accepted.latencyMs, 'p99'), '', '', '']);
    const drained = (a.undrained ?? 0) === 0 ? 'queue drained' : `${a.undrained} NOT drained: still retrying when the bench stopped waiting`;
    out.push([`delivered (${a.delivered} events, ${drained})`, `${Math.round(a.deliveredPerSec).toLocaleString('en-US')} events/s`, '', '', 'async.maxConcurrentDeliveries 16']);
  }

  const o = r.overload;
  if (o !== undefined) {
    out.push(`Overload: ${o.n} invocations at once (300 ms each) against an account limit of 10`);
    const ok = o.byStatus['200'] ?? 0;
    const throttled = o.byStatus['429'] ?? 0;
    const other = Object.entries(o.byStatus).filter(([k]) => k !== '200' && k !== '429').map(([k, v]) => `${v}× ${k}`).join(', ');
    out.push(['succeeded / throttled (429)', `${ok} / ${throttled}`, '', '', 'target: only successes and 429s']);
    out.push(['other statuses, hung, failed', `${other === '' ? 'none' : other}; ${o.hung} hung; ${o.failed} failed`, '', '', `all answered in ${o.seconds.toFixed(2)} s`]);
  }

  if (r.memory !== undefined) out.push(...memoryRows(r.memory, r.throughput.generator ?? 'Node client'));

  const c = r.control;
  out.push(`Control plane (p50 / p90)`);
  out.push([`CreateFunction, SDK, small zip (N=${fresh.control.n})`, pair(fresh.control, 'p90'), '', '', '']);
  out.push(['  create → State Active seen (polling)', pair(fresh.settle, 'p90'), '', '', '']);
  out.push([`UpdateFunctionConfiguration, SDK (N=${update.control.n})`, pair(update.control, 'p90'), '', '', '']);
  out.push([`GetFunction, node:http (N=${c.getFunctionHttp.n})`, pair(c.getFunctionHttp, 'p90'), `${pair(c.floorGet, 'p90')} ³`, ratio(c.getFunctionHttp.p50, c.floorGet.p50), '']);
  out.push([`GetFunction, SDK (N=${c.getFunctionSdk.n})`, pair(c.getFunctionSdk, 'p90'), '', '', '']);
  return out;
}

/** Per round the time until all `n` were answered; figures are the median round (range over rounds). */
function burstRows(b: NonNullable<Results['burst']>): Array<Row | string> {
  const nimbus = summarize(b.rounds.map((x) => x.nimbus.seconds));
  const floorNext = summarize(b.rounds.map((x) => x.floor.allNextMs / 1000));
  const floorResponse = summarize(b.rounds.map((x) => x.floor.allResponseMs / 1000));
  const envsPerSec = (s: Summary) => `${(b.n / s.p50).toFixed(1)} envs/s`;
  const secs = (v: number) => `${v.toFixed(2)} s`;
  const ok = b.rounds.reduce((n, x) => n + (x.nimbus.byStatus['200'] ?? 0), 0);
  const hung = b.rounds.reduce((n, x) => n + x.nimbus.hung, 0);
  const failed = b.rounds.reduce((n, x) => n + x.nimbus.failed, 0);
  const other = b.rounds.length * b.n - ok - hung - failed;
  const limits = b.rounds[0]?.limits;
  const limiting = b.rounds.some((x) => x.limits.limiting);
  return [
    `Burst: ${b.n} first invocations at once of a new ${BURST_MB} MB function, fresh Nimbus (${b.rounds.length} round${b.rounds.length === 1 ? '' : 's'}; median (range))`,
    [`all ${b.n} answered`, range(nimbus, secs), `${range(floorNext, secs)} ⁵`, ratio(nimbus.p50, floorNext.p50), 'floors.md: 50 at once in 0.69–1.27 s'],
    ['new environments/s (median round)', envsPerSec(nimbus), `${envsPerSec(floorNext)} ⁵`, ratio(b.n / nimbus.p50, b.n / floorNext.p50), 'target ≥ 0.80×; floors.md: ~40–70 envs/s; Lambda 1,000 per 10 s per fn'],
    [`  floor: ${b.n} runtimes to their /response`, '', range(floorResponse, secs), '', ''],
    ['200 / other / hung / failed', `${ok} / ${other} / ${hung} / ${failed}`, '', '', `target: all 200; environments ${b.rounds.map((x) => x.environments).join(', ')}`],
    ['scale-up rate, host memory budget', limits === undefined ? '' : `${int(limits.scaleUpPer10s)} per 10 s; ${int(limits.memoryBudgetMb)} MB`, '', '',
      `${limiting ? 'LIMITING: they cannot admit' : 'not limiting: they admit'} ${b.n} × ${BURST_MB} MB at once`],
  ];
}

function memoryRows(m: MemoryResults, generator: string): Array<Row | string> {
  const w = m.warm;
  const overhead = { rss: w.addedPerEnv.rss - w.runtime.rss, pss: w.addedPerEnv.pss - w.runtime.pss };
  const l = m.leak;
  const done = l.invocations < l.target ? ` (of ${int(l.target)}: stopped at the time cap)` : '';
  // The heap grows to its working size during the first invocations; a leak keeps growing after that.
  const settled = l.samples.find((x) => x.invocations >= l.invocations / 10);
  const growth = (from: number, to: number) => `${mb(from)} → ${mb(to)} (${to >= from ? '+' : ''}${(((to - from) / from) * 100).toFixed(1)} %)`;
  return [
    'Memory: Nimbus as its own process (`nimbus serve`); VmRSS, and PSS (shared pages split among sharers) in brackets',
    ['server RSS, idle (started, no function yet)', mbPss(m.idle.server), `${mb(m.idle.floorNodeServerRss)} ⁶`, ratio(m.idle.server.rss, m.idle.floorNodeServerRss), 'floors.md: a plain node:http server 44 MB'],
    [`process tree, ${w.environments} runtimes (128 MB, idle)`, mbPss(w.tree), '', '', `warm envs and pre-started runtimes; idle tree ${mbPss(m.idle.tree)}`],
    [`added per runtime (÷ ${w.environments})`, mbPss(w.addedPerEnv), `${mbPss(w.runtime)} ⁷`, ratio(w.addedPerEnv.rss, w.runtime.rss), 'floors.md: 46.5–49.7 MB per warm env'],
    ['  platform overhead per env (added − runtime)', mbPss(overhead), '', '', 'target ≤ 2 MB'],
    ['    of which sandbox processes per env', mbPss(w.sandboxPerEnv), '', '', "bwrap stays as the runtime's parent, plus its PID-namespace init"],
    ['    of which server growth per env', mbPss(w.serverGrowthPerEnv), '', '', ''],
    [`server RSS over ${int(l.invocations)} warm invocations`, growth(l.rssStartMb, l.rssEndMb), '', '', 'target ≤ +10 %'],
    ...(settled === undefined ? [] : [[`  from invocation ${int(settled.invocations)} on (first 10 %: warm-up)`, growth(settled.rssMb, l.rssEndMb), '', '', ''] as const]),
    ['  leak check load', `${int(l.invocations / l.seconds)} req/s at c=${l.concurrency}`, '', '', `${int(l.invocations)} done${done} in ${l.seconds.toFixed(0)} s, ${l.errors} errors; ${l.functionMemoryMb} MB function; ${generator}`],
  ];
}

export function renderTable(r: Results): string {
  const header: Row = ['metric', 'Nimbus', 'floor (same run)', 'Nimbus÷floor', 'reference (performance-floors.md)'];
  const all = rows(r);
  const table = [header, ...all.filter((x): x is Row => typeof x !== 'string')];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]?.length ?? 0)));
  const line = (row: Row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(i === 4 ? 0 : widths[i] ?? 0))).join(' │ ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  const out = [line(header), rule];
  for (const row of all) out.push(typeof row === 'string' ? `\n${row}` : line(row));
  const m = r.meta;
  out.push(
    '',
    '¹ spawn of a node child → it GETs /next, requires and calls the hello handler, POSTs /response (server on the bench main thread)',
    '² the same child: spawn → its first GET /invocation/next',
    '³ constant-JSON node:http server on the same thread as Nimbus, driven by the same client code (throughput: the same load generator)',
    '⁴ the SDK\'s InvokeCommand against that constant-JSON server (the SDK\'s own cost with a near-zero server)',
    `⁵ ${r.burst?.n ?? 100} of the node children of ¹ spawned at once by the bench's main thread → the last of their first GET /next`,
    '⁶ an idle `node` process serving node:http, read as long after it listens as the Nimbus server is after start-up',
    '⁷ the runtime processes\' own memory (median leaf `node` of the server\'s process tree): a runtime without a platform',
    '⁸ the host\'s python3 (the interpreter python3.x functions run on), spawn → exit of `python3 -c pass`',
    'Ratios compare figures from this run only. References: AWS = maxday/lambda-perf Jul–Aug 2026 and Wang et al. ATC\'18 (client-observed',
    'warm, includes the API front end); prototype / floor / sls-offline = earlier runs on this machine with wrk (performance-floors.md §1, §4).',
    `Setup: ${m.setup}`,
    `Node ${m.node}, ${m.cpus}× ${m.cpuModel}; load average ${m.loadavgBefore.map((v) => v.toFixed(2)).join(' ')} before, ${m.loadavgAfter.map((v) => v.toFixed(2)).join(' ')} after; ${m.seconds.toFixed(1)} s${m.quick ? ' (--quick)' : ''}.`,
  );
  if (r.failures.length > 0) {
    out.push('Failures (excluded from the figures; a cold sample that failed was taken again):');
    for (const f of r.failures) out.push(`  ${f.what}: ${f.count} failed; first: ${f.first}`);
    out.push('  "Runtime exited with error: signal: killed" here usually means another Nimbus started on this host: its start-up sweep');
    out.push('  of the shared cgroup root (src/sandbox/cgroup2.ts sweepStale) kills every live environment, ours included.');
  }
  if (m.noise !== undefined) {
    const n = m.noise;
    out.push(`CPU during the run, in cores of ${m.cpus}: bench + runtimes ${n.ownCpus.toFixed(2)}, other processes ${n.otherCpus.toFixed(2)}, steal ${n.stealCpus.toFixed(2)}` +
      (n.otherCpus > 0.25 ? ' (other work competed for the CPUs: expect absolute figures to be off, ratios less so)' : '') + '.');
  }
  return out.join('\n');
}

export function writeJson(path: string, r: Results): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...r, table: rows(r) }, null, 2)}\n`);
}
