// The load generator's HTTP side: one keep-alive request, a sequential latency loop and a closed-loop
// throughput run (N connections, each sends its next request as soon as the previous reply is read).
// Runs inside the load worker (load-worker.ts), so it never shares an event loop with the server it measures.
import http, { type IncomingHttpHeaders } from 'node:http';
import { nowMs, summarize, type Summary } from './stats.js';

export interface HttpTarget {
  readonly port: number;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export function keepAliveAgent(maxSockets = 1): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets });
}

/** One request to 127.0.0.1 (the only host the bench ever targets). */
export function send(agent: http.Agent, t: HttpTarget): Promise<HttpReply> {
  const headers: Record<string, string | number> = { ...t.headers };
  if (t.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = Buffer.byteLength(t.body);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: t.port, method: t.method, path: t.path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(t.body);
  });
}

/** A successful reply: 200 (202 for an accepted Event invoke) and, for Lambda's Invoke, no X-Amz-Function-Error. */
export function isOk(r: HttpReply): boolean {
  return (r.status === 200 || r.status === 202) && r.headers['x-amz-function-error'] === undefined;
}

function describe(r: HttpReply): string {
  return `HTTP ${r.status} ${String(r.headers['x-amz-function-error'] ?? '')} ${r.body.toString('utf8').slice(0, 200)}`;
}

export interface LatencyRun {
  /** Latency of every successful measured request, ms. */
  readonly samples: number[];
  /** Measured requests that failed (not in `samples`). */
  readonly errors: number;
  readonly firstError?: string;
}

/**
 * `warmup` unmeasured then `count` measured sequential requests on one keep-alive connection. A failed
 * request is counted and skipped (another Nimbus starting on this host can kill our environments, see the
 * report); more than 1 % failures aborts the run.
 */
export async function latencyRun(t: HttpTarget, warmup: number, count: number): Promise<LatencyRun> {
  const agent = keepAliveAgent(1);
  try {
    const samples: number[] = [];
    let errors = 0;
    let firstError: string | undefined;
    for (let i = 0; i < warmup + count; i++) {
      const t0 = nowMs();
      let failure: string | undefined;
      try {
        const r = await send(agent, t);
        if (!isOk(r)) failure = describe(r);
      } catch (err) {
        failure = String(err);
      }
      const dt = nowMs() - t0;
      if (failure !== undefined) {
        errors++;
        firstError ??= `${t.method} ${t.path}: ${failure}`;
        if (errors > Math.max(3, (warmup + count) / 100)) throw new Error(`${errors} failed requests; first: ${firstError}`);
      } else if (i >= warmup) {
        samples.push(dt);
      }
    }
    return firstError === undefined ? { samples, errors } : { samples, errors, firstError };
  } finally {
    agent.destroy();
  }
}

export interface ThroughputSlice {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  /** Latency of every counted request, ms. */
  readonly latencies: number[];
  readonly firstError?: string;
}

export interface ThroughputResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly seconds: number;
  readonly reqPerSec: number;
  readonly latencyMs: Summary;
}

/** Several slices of the same configuration as one result. */
export function combineSlices(slices: readonly ThroughputSlice[]): ThroughputResult {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  return {
    concurrency: slices[0]?.concurrency ?? 0,
    requests,
    errors: slices.reduce((n, s) => n + s.errors, 0),
    seconds,
    reqPerSec: requests / seconds,
    latencyMs: summarize(slices.flatMap((s) => s.latencies)),
  };
}

/**
 * Closed loop: `concurrency` connections each send back-to-back for `warmupMs` (discarded) then
 * `durationMs` (counted). A request counts if it was sent and answered inside the window.
 */
export async function throughputRun(t: HttpTarget, concurrency: number, durationMs: number, warmupMs: number): Promise<ThroughputSlice> {
  const agent = keepAliveAgent(concurrency);
  const start = nowMs();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  const slot = async () => {
    for (;;) {
      const t0 = nowMs();
      if (t0 >= end) return;
      let ok = false;
      try {
        const r = await send(agent, t);
        ok = isOk(r);
        if (!ok) firstError ??= describe(r);
      } catch (err) {
        firstError ??= String(err);
      }
      const t1 = nowMs();
      if (t0 >= measureFrom && t1 <= end) {
        if (ok) {
          requests++;
          latencies.push(t1 - t0);
        } else errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, slot));
  } finally {
    agent.destroy();
  }
  if (errors > 0 && requests === 0) throw new Error(`${t.method} ${t.path}: every request failed: ${firstError ?? ''}`);
  const slice = { concurrency, requests, errors, seconds: durationMs / 1000, latencies };
  return firstError === undefined ? slice : { ...slice, firstError };
}

/** What happened to each request of a burst: answered by status, or not answered within the timeout. */
export interface BurstResult {
  readonly n: number;
  /** HTTP status → count (successes are 200). */
  readonly byStatus: Readonly<Record<string, number>>;
  /** Requests with no answer within the timeout (must be 0: no request hangs). */
  readonly hung: number;
  /** Transport errors (connection reset and the like). */
  readonly failed: number;
  readonly seconds: number;
}

/** `n` requests at once, each on its own connection; counts statuses, hangs and transport failures. */
export async function burstRun(t: HttpTarget, n: number, timeoutMs: number): Promise<BurstResult> {
  const agent = keepAliveAgent(n);
  const byStatus: Record<string, number> = {};
  let hung = 0;
  let failed = 0;
  const start = nowMs();
  await Promise.all(Array.from({ length: n }, async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs)));
    try {
      const r = await Promise.race([send(agent, t), timeout]);
      if (r === 'hung') hung += 1;
      else byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
    } catch {
      failed += 1;
    } finally {
      clearTimeout(timer);
    }
  }));
  agent.destroy();
  return { n, byStatus, hung, failed, seconds: (nowMs() - start) / 1000 };
}
