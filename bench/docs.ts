// docs/performance.md and docs/performance.svg from a full run: the table as printed, the machine it ran on,
// how to re-run it, and a small chart of Nimbus next to its same-run floors.
import { writeFileSync } from 'node:fs';
import { ms, renderTable, type Results } from './report.js';
import { median } from './stats.js';

interface Bar {
  readonly label: string;
  readonly nimbus: number;
  readonly floor: number;
  readonly unit: string;
}

function bars(r: Results): Bar[] {
  const out: Bar[] = [
    { label: 'cold Invoke p50', nimbus: r.cold.fresh.invoke.p50, floor: r.floors.runtimeApiResponse.p50, unit: 'ms' },
    { label: 'Init Duration p50', nimbus: r.cold.fresh.init.p50, floor: r.floors.runtimeApiFirstNext.p50, unit: 'ms' },
    { label: 'cold Python p50', nimbus: r.cold.freshPython.invoke.p50, floor: r.floors.pythonExit.p50, unit: 'ms' },
    { label: 'warm Invoke p50 (c=1)', nimbus: r.warm.nimbusHttp.p50, floor: r.warm.floorHttp.p50, unit: 'ms' },
  ];
  if (r.warm.pythonHttp !== undefined) out.push({ label: 'warm Python p50 (c=1)', nimbus: r.warm.pythonHttp.p50, floor: r.warm.floorHttp.p50, unit: 'ms' });
  const b = r.burst;
  if (b !== undefined && b.rounds.length > 0) {
    const perSec = (seconds: number[]) => b.n / median(seconds);
    out.push({
      label: `burst of ${b.n}: new envs/s`, unit: 'envs/s',
      nimbus: perSec(b.rounds.map((x) => x.nimbus.seconds)), floor: perSec(b.rounds.map((x) => x.floor.allNextMs / 1000)),
    });
  }
  if (r.memory !== undefined) {
    out.push({ label: 'RSS per warm env', nimbus: r.memory.warm.addedPerEnv.rss, floor: r.memory.warm.runtime.rss, unit: 'MB' });
  }
  return out;
}

/** A horizontal bar chart: per metric, Nimbus and its floor, each scaled to the larger of the two. */
export function chartSvg(r: Results): string {
  const rows = bars(r);
  const width = 640;
  const rowH = 46;
  const left = 170;
  const barMax = width - left - 110;
  const parts: string[] = [];
  rows.forEach((b, i) => {
    const y = 30 + i * rowH;
    const max = Math.max(b.nimbus, b.floor, 1e-9);
    const w = (v: number) => Math.max(1, Math.round((v / max) * barMax));
    parts.push(`<text x="8" y="${y + 14}" font-size="12">${b.label}</text>`);
    parts.push(`<rect x="${left}" y="${y}" width="${w(b.nimbus)}" height="16" fill="#3b6fb6"/>`);
    parts.push(`<text x="${left + w(b.nimbus) + 6}" y="${y + 13}" font-size="11">Nimbus ${ms(b.nimbus)} ${b.unit}</text>`);
    parts.push(`<rect x="${left}" y="${y + 18}" width="${w(b.floor)}" height="10" fill="#a9a9a9"/>`);
    parts.push(`<text x="${left + w(b.floor) + 6}" y="${y + 27}" font-size="10" fill="#555">floor ${ms(b.floor)} ${b.unit}</text>`);
  });
  const height = 40 + rows.length * rowH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">`,
    `<text x="8" y="18" font-size="13" font-weight="bold">Nimbus vs. floors measured in the same run (${r.meta.startedAt.slice(0, 10)})</text>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

export function performanceMarkdown(r: Results): string {
  const m = r.meta;
  return [
    '# Performance',
    '',
    'This page is written by `npm run bench` (a full run, not `--quick`); the figures below are the latest run\'s.',
    'Every Nimbus figure stands next to a floor measured in the same run on the same machine: on a shared 2-vCPU',
    'machine absolute numbers drift by 20–30 % between runs, the ratios much less.',
    '',
    '![Nimbus vs. floors](performance.svg)',
    '',
    `Machine: ${m.cpus}× ${m.cpuModel}, Node ${m.node}; run started ${m.startedAt}, took ${m.seconds.toFixed(0)} s.`,
    '',
    '```',
    renderTable(r),
    '```',
    '',
    '## Re-running it',
    '',
    '```sh',
    'npm run bench            # full run (about 5 minutes plus the leak check, ~17 more): prints the table,',
    '                         # writes bench/results/latest.json,',
    '                         # docs/performance.md and docs/performance.svg',
    'node dist/bench/run.js --quick   # small samples, for profiling; writes only the JSON',
    '```',
    '',
    'The bench starts its own Nimbus (in-process, a temporary data directory, 127.0.0.1), one without pre-started',
    'runtimes and one without the sandbox (to show what each costs), one with an account limit of 10 (overload), a fresh one per burst',
    'round and one as its own process (`nimbus serve`, for the memory figures), drives them from a worker thread',
    '(and from wrk, see below), and deletes everything when done (also on Ctrl-C). `npm run bench` first runs',
    '`scripts/setup.sh --bench`, which also installs wrk (Debian package, as root).',
    '',
    '## How the figures are measured',
    '',
    '- **Cold start.** Per sample: CreateFunction with a distinct zip, wait until Active, one Invoke with `LogType: Tail`',
    '  (timed by the client; `Init Duration` and `Duration` from its REPORT line), DeleteFunction. New Node and Python',
    '  functions take a pre-started runtime (`engine.runtimeSlots`; each kind\'s first cold start, which starts the',
    '  pool, is not measured); *runtime started for it* is a Nimbus with `engine.runtimeSlots=0`, where every cold',
    '  start spawns its runtime, and *no sandbox* one with `engine.isolation=none` (which also has no slots). Floors:',
    '  a minimal Runtime API client spawned to its first `/next` and to its `/response`, `node -e 0`, and the host\'s',
    '  `python3 -c pass`.',
    '- **Burst.** Per round, first the floor: 100 copies of a minimal Runtime API client (the node child of the cold-start',
    '  floor) spawned at once by the bench, timed until the last of their first `GET /invocation/next`. Then a fresh',
    '  Nimbus, a new no-op Node function of 128 MB, and 100 invocations of it sent at once, each on its own connection,',
    '  timed until the last answer: every one needs a new environment (sandbox, cgroups, runtime start, first',
    '  `/next`, the handler, the reply). Environments/s = 100 ÷ that time; the ratio is Nimbus\'s environments/s ÷ the',
    '  floor\'s (target ≥ 0.8). Any answer other than 200, any request hung for 60 s and any transport failure is',
    '  counted. Before each burst the bench reads the per-function scale-up rate (`engine.scaleUpPer10s`, 1,000 per',
    '  10 s, a bucket that starts full) and the host memory budget (`engine.memoryBudgetMb`) and says whether they',
    '  could refuse part of the burst.',
    '- **Warm throughput.** Closed loop (each connection sends its next request when the previous answer is read),',
    '  floor and Nimbus alternating in 1-s slices. The load comes from wrk (one thread, a Lua script for the POST and',
    '  its body; the bench\'s Nimbus accepts unsigned requests) when it is on PATH, else from the bench\'s Node client in',
    '  a worker thread, which caps the node:http floor at a few thousand requests/s on this machine; the table says',
    '  which one ran. With wrk, each slice\'s latency distribution is kept as 400 quantiles.',
    '- **Memory.** On a Nimbus started as its own process (`nimbus serve`), so that its RSS is the server\'s alone.',
    '  Every figure is VmRSS (what `ps` shows) with PSS in brackets (shared pages, such as the node binary, split',
    '  among the processes sharing them: a sum over processes is then what they really hold).',
    '  - *Idle*: the server\'s RSS one second after it printed its URL, before any function exists; floor: an idle',
    '    `node` process serving node:http, read the same way.',
    '  - *Per warm environment*: 10 concurrent clients start 10 environments of a 128 MB no-op Node function, which',
    '    then idle for a second; the whole process tree (the server and all its descendants in `/proc`) minus the',
    '    idle tree, ÷ the number of runtime processes in it (the 10 environments and the pre-started runtimes their',
    '    cold starts asked for, which sit in the same sandbox chain). Next to it, the runtime\'s own RSS (the median',
    '    leaf `node` process). The difference is the',
    '    platform\'s overhead per environment (target ≤ 2 MB), split into the sandbox processes (the chain is',
    '    `sh` → `bwrap` → `setpriv` → runtime: `sh` and `setpriv` exec, but bwrap stays as the runtime\'s parent and',
    '    starts a second process as the PID namespace\'s init) and the server\'s own growth ÷ 10.',
    '  - *Leak check*: the server\'s RSS after a warm-up, then after 1,000,000 warm invocations of a no-op function',
    '    (20,000 with `--quick`), read between chunks of load; target ≤ +10 %. The load runs at the concurrency that',
    '    served most requests/s in a short probe (c=1, 2 or 10). At ~1,000 invocations/s this takes about 17 minutes;',
    '    it stops after 40 minutes in any case, and the table says how many invocations it did. A second row gives the',
    '    growth from the reading after the first 10 % of the invocations: the heap grows to its working size first,',
    '    while a leak keeps growing to the end (every reading is in `bench/results/latest.json`).',
    '',
  ].join('\n');
}

export function writeDocs(dir: string, r: Results): void {
  writeFileSync(`${dir}/performance.md`, performanceMarkdown(r));
  writeFileSync(`${dir}/performance.svg`, chartSvg(r));
}
