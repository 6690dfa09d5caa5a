// docs/performance.md and docs/performance.svg from a full run: the table as printed, the machine it ran on,
// how to re-run it, and a small chart of Nimbus next to its same-run floors.
import { writeFileSync } from 'node:fs';
import { ms, renderTable, type Results } from './report.js';

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
    { label: 'warm Invoke p50 (c=1)', nimbus: r.warm.nimbusHttp.p50, floor: r.warm.floorHttp.p50, unit: 'ms' },
  ];
  if (r.warm.pythonHttp !== undefined) out.push({ label: 'warm Python p50 (c=1)', nimbus: r.warm.pythonHttp.p50, floor: r.warm.floorHttp.p50, unit: 'ms' });
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
    'npm run bench            # full run (about 2 minutes): prints the table, writes bench/results/latest.json,',
    '                         # docs/performance.md and docs/performance.svg',
    'node dist/bench/run.js --quick   # small samples, for profiling; writes only the JSON',
    '```',
    '',
    'The bench starts its own Nimbus (in-process, a temporary data directory, 127.0.0.1), a second one without the',
    'sandbox (to show what the sandbox costs) and one with an account limit of 10 (overload), drives them from a',
    'worker thread, and deletes everything when done (also on Ctrl-C).',
    '',
  ].join('\n');
}

export function writeDocs(dir: string, r: Results): void {
  writeFileSync(`${dir}/performance.md`, performanceMarkdown(r));
  writeFileSync(`${dir}/performance.svg`, chartSvg(r));
}
