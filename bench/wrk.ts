// wrk (C, Debian's 4.1.0) as the closed-loop load generator when it is on PATH. The Node client (a worker thread of
// this process) tops out near 6–10k req/s here and so caps the node:http floor it is compared with; wrk drove the
// same floor at ~45k req/s (performance-floors.md §4). One thread (-t1): the machine has 2 cores and the server
// under test needs one of them.
//
// A Lua script sets the method, body and headers of the target (Nimbus accepts the bench's unsigned requests, so
// one static request serves the whole run) and, when wrk is done, prints the counts and the latency distribution
// in lines starting with "bench ", which `wrkRun` parses. The distribution is 400 evenly spaced quantiles (µs):
// Debian's wrk does not expose its per-microsecond histogram to Lua (indexing the latency object returns the
// index), only percentile(), which scans that histogram on every call.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpTarget, ThroughputSlice } from './http-load.js';
import { cleanEnv } from './floors.js';

const QUANTILES = 400;
/**
 * wrk counts a request unanswered after this long as a timeout error (and leaves it out of the latencies). Its
 * default, 2 s, is shorter than a cold start of a 128 MB function under load (a CPU share of 7 %): Nimbus's init
 * timeout (10 s) instead.
 */
const TIMEOUT_S = 10;

const SCRIPT = `-- Nimbus bench (bench/wrk.ts): args are method, body, then "Name: value" headers.
local QUANTILES = ${QUANTILES}

function init(args)
  wrk.method = args[1]
  if args[2] ~= "" then
    wrk.body = args[2]
    wrk.headers["Content-Type"] = "application/json"
  end
  for i = 3, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    wrk.headers[name] = value
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  local out = { string.format("bench summary %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout) }
  out[#out + 1] = "bench quantiles"
  for k = 1, QUANTILES do
    out[#out + 1] = string.format(" %d", latency:percentile((k - 0.5) * 100 / QUANTILES))
  end
  io.write(table.concat(out), "\\n")
end
`;

/** The wrk binary on PATH and its version line, or undefined (the bench then uses its Node client). */
export function findWrk(): { path: string; version: string } | undefined {
  try {
    const path = execFileSync('/bin/sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim();
    // `wrk -v` prints its version and usage, and exits 1.
    let version = '';
    try {
      version = execFileSync(path, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      version = String((err as { stdout?: unknown }).stdout ?? '');
    }
    return path === '' ? undefined : { path, version: /wrk (\S+)/.exec(version)?.[1] ?? '?' };
  } catch {
    return undefined;
  }
}

export function writeWrkScript(dir: string): string {
  const path = join(dir, 'bench-wrk.lua');
  writeFileSync(path, SCRIPT);
  return path;
}

/** Parses the "bench " lines of the script's done(); the wrk report around them is ignored. */
function parseWrk(stdout: string, concurrency: number): ThroughputSlice {
  const lines = stdout.split('\n').filter((l) => l.startsWith('bench ')).map((l) => l.split(' ').slice(1));
  const summary = lines.find((f) => f[0] === 'summary')?.slice(1).map(Number);
  if (summary === undefined || summary.length !== 7) throw new Error(`wrk printed no summary:\n${stdout.slice(0, 500)}`);
  const [requests = 0, durationUs = 0, connect = 0, read = 0, write = 0, status = 0, timeout = 0] = summary;
  // A run without a single answer has no distribution.
  const latencies = requests === 0 ? [] : (lines.find((f) => f[0] === 'quantiles')?.slice(1).map((us) => Number(us) / 1000) ?? []);
  const errors = connect + read + write + status + timeout;
  const slice = { concurrency, requests: requests - status, errors, seconds: durationUs / 1e6, latencies };
  return errors === 0 ? slice : { ...slice, firstError: `wrk: ${status} non-2xx/3xx, ${timeout} timeouts (${TIMEOUT_S} s), ${connect + read + write} socket errors` };
}

/**
 * `concurrency` connections on one wrk thread for `seconds` (whole seconds: wrk's unit). Counts as in
 * http-load.ts's throughputRun, except that wrk cannot see X-Amz-Function-Error (a function error is an HTTP 200)
 * and a request still unanswered at the end is not counted. The slice's `latencies` are the run's quantiles, not
 * every request's latency: slices of one configuration, about equally long, are combined with equal weight.
 */
export async function wrkRun(wrk: string, script: string, t: HttpTarget, concurrency: number, seconds: number): Promise<ThroughputSlice> {
  const headers = Object.entries(t.headers ?? {}).map(([k, v]) => `${k}: ${v}`);
  const args = ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--timeout', `${TIMEOUT_S}s`, '-s', script, `http://127.0.0.1:${t.port}${t.path}`, '--', t.method, t.body ?? '', ...headers];
  const child = spawn(wrk, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const [code] = (await once(child, 'close')) as [number | null]; // 'close': after stdout has been read to its end
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${String(code)}: ${Buffer.concat(err).toString('utf8').slice(0, 300)}`);
  return parseWrk(Buffer.concat(out).toString('utf8'), concurrency);
}
