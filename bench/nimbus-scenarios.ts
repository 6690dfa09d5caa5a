// What a user's client does against Nimbus, timed: deploy, cold invokes (a fresh function each time, or an
// UpdateFunctionConfiguration that retires the warm environment), SDK invokes and GetFunction. Runs in the
// load worker; the server under test runs on the main thread.
import {
  CreateFunctionCommand, DeleteFunctionCommand, GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand,
  LambdaClient, UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { readFileSync } from 'node:fs';
import { makeZip } from '../test/helpers/zip.js';
import { type HttpTarget, isOk, keepAliveAgent, type LatencyRun, send } from './http-load.js';
import { nowMs } from './stats.js';

export const BENCH_ROLE = 'arn:aws:iam::000000000000:role/bench-role';
const CREDENTIALS = { accessKeyId: 'AKIDNIMBUSBENCH', secretAccessKey: 'nimbus-bench-secret' };

export interface Endpoint {
  readonly port: number;
}

export interface ColdSample {
  /** Client-observed Invoke latency of the cold invocation. */
  readonly invokeMs: number;
  /** `Init Duration` from the REPORT line (undefined if the invocation was not cold). */
  readonly initDurationMs: number | undefined;
  /** `Duration` from the REPORT line. */
  readonly durationMs: number | undefined;
  /** CreateFunction (fresh-function mode) or UpdateFunctionConfiguration (update mode) latency. */
  readonly controlMs: number;
  /** Time until GetFunctionConfiguration showed the function settled (Active / Successful). */
  readonly settleMs: number;
}

export interface ColdRun {
  readonly samples: ColdSample[];
  /** Cold invocations that failed and were taken again (at most once each). */
  readonly failures: number;
  readonly firstFailure?: string;
}

function client(e: Endpoint): LambdaClient {
  return new LambdaClient({ endpoint: `http://127.0.0.1:${e.port}`, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
}

export function invokeTarget(e: Endpoint, functionName: string, tail = false): HttpTarget {
  return {
    port: e.port,
    method: 'POST',
    path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    body: '{}',
    ...(tail ? { headers: { 'X-Amz-Log-Type': 'Tail' } } : {}),
  };
}

/** The hello fixture, plus a nonce file so every zip has its own hash and CreateFunction extracts it for real. */
function helloZip(helloDir: string, nonce: string, runtime: DeployOptions['runtime'] = 'nodejs20.x'): Promise<Buffer> {
  const file = runtime === 'python3.12' ? 'index.py' : 'index.js';
  return makeZip({ [file]: readFileSync(`${helloDir}/${file}`), '.bench-nonce': nonce });
}

async function waitSettled(lambda: LambdaClient, name: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let delay = 0; ; delay = Math.min(20, delay + 2)) {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (c.State === 'Active' && (c.LastUpdateStatus === undefined || c.LastUpdateStatus === 'Successful')) return;
    if (c.State === 'Failed' || c.LastUpdateStatus === 'Failed') throw new Error(`${name}: ${c.StateReason ?? c.LastUpdateStatusReason ?? 'failed'}`);
    if (Date.now() > until) throw new Error(`${name} did not settle within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * One full vCPU (Lambda's 1,769 MB): the bench measures the platform, and a smaller function would measure the
 * CPU share Nimbus (like Lambda) gives it: at 128 MB that is 7% of a core.
 */
export const BENCH_MEMORY_MB = 1769;

/** What to deploy besides the hello fixture's defaults (nodejs20.x, index.handler, one vCPU). */
export interface DeployOptions {
  readonly runtime?: 'nodejs20.x' | 'python3.12';
  readonly memoryMb?: number;
  /** Handler source instead of the fixture's (index.js / index.py). */
  readonly source?: string;
}

async function create(lambda: LambdaClient, name: string, zip: Buffer, runtime: DeployOptions['runtime'] = 'nodejs20.x', memoryMb = BENCH_MEMORY_MB): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: runtime, Handler: 'index.handler', Role: BENCH_ROLE, Code: { ZipFile: zip }, MemorySize: memoryMb,
  }));
}

export async function deploy(e: Endpoint, helloDir: string, name: string, options: DeployOptions = {}): Promise<void> {
  const lambda = client(e);
  const file = options.runtime === 'python3.12' ? 'index.py' : 'index.js';
  const zip = await makeZip({ [file]: options.source ?? readFileSync(`${helloDir}/${file}`), '.bench-nonce': name });
  try {
    await create(lambda, name, zip, options.runtime, options.memoryMb);
    await waitSettled(lambda, name);
  } finally {
    lambda.destroy();
  }
}

/** Invokes with LogType Tail and reads Duration / Init Duration from the REPORT line. */
async function timedColdInvoke(e: Endpoint, name: string): Promise<Pick<ColdSample, 'invokeMs' | 'initDurationMs' | 'durationMs'>> {
  const agent = keepAliveAgent(1);
  try {
    const t0 = nowMs();
    const r = await send(agent, invokeTarget(e, name, true));
    const invokeMs = nowMs() - t0;
    if (!isOk(r)) throw new Error(`cold invoke of ${name}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
    const log = Buffer.from(String(r.headers['x-amz-log-result'] ?? ''), 'base64').toString('utf8');
    const report = log.split('\n').find((l) => l.startsWith('REPORT '));
    const num = (re: RegExp) => {
      const m = report === undefined ? null : re.exec(report);
      return m?.[1] === undefined ? undefined : Number(m[1]);
    };
    return { invokeMs, initDurationMs: num(/\tInit Duration: ([\d.]+) ms/), durationMs: num(/\tDuration: ([\d.]+) ms/) };
  } finally {
    agent.destroy();
  }
}

/** A cold invoke, taken once more if it fails (the failed attempt stopped the environment, so the retry is cold too). */
async function coldInvokeWithRetry(e: Endpoint, name: string, failures: { count: number; first?: string }) {
  try {
    return await timedColdInvoke(e, name);
  } catch (err) {
    failures.count++;
    failures.first ??= err instanceof Error ? err.message : String(err);
    return timedColdInvoke(e, name);
  }
}

function coldRun(samples: ColdSample[], failures: { count: number; first?: string }): ColdRun {
  return failures.first === undefined ? { samples, failures: failures.count } : { samples, failures: failures.count, firstFailure: failures.first };
}

/**
 * Mode "fresh": for each sample, CreateFunction (timed; a distinct zip), wait Active, one cold invoke
 * (timed), DeleteFunction (which stops the environment before the next sample starts).
 */
export async function coldFresh(e: Endpoint, helloDir: string, prefix: string, n: number, runtime: DeployOptions['runtime'] = 'nodejs20.x'): Promise<ColdRun> {
  const lambda = client(e);
  const out: ColdSample[] = [];
  const failures = { count: 0 };
  try {
    for (let i = 0; i < n; i++) {
      const name = `${prefix}-${i}`;
      const zip = await helloZip(helloDir, name, runtime);
      const t0 = nowMs();
      await create(lambda, name, zip, runtime);
      const t1 = nowMs();
      await waitSettled(lambda, name);
      const t2 = nowMs();
      const inv = await coldInvokeWithRetry(e, name, failures);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
      out.push({ ...inv, controlMs: t1 - t0, settleMs: t2 - t1 });
    }
    return coldRun(out, failures);
  } finally {
    lambda.destroy();
  }
}

/**
 * Mode "update": one function; for each sample, UpdateFunctionConfiguration with a new environment variable
 * (timed), wait for LastUpdateStatus Successful, then one invoke (timed). The new configuration makes the
 * engine retire the warm environment, so the invoke starts a new one while the old one is being killed.
 */
export async function coldAfterUpdate(e: Endpoint, helloDir: string, name: string, n: number): Promise<ColdRun> {
  const lambda = client(e);
  const out: ColdSample[] = [];
  const failures = { count: 0 };
  try {
    await create(lambda, name, await helloZip(helloDir, name));
    await waitSettled(lambda, name);
    await coldInvokeWithRetry(e, name, { count: 0 }); // leaves one warm environment for the first update to retire
    for (let i = 0; i < n; i++) {
      const t0 = nowMs();
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { BENCH_ROUND: `${name}-${i}` } } }));
      const t1 = nowMs();
      await waitSettled(lambda, name);
      const t2 = nowMs();
      const inv = await coldInvokeWithRetry(e, name, failures);
      out.push({ ...inv, controlMs: t1 - t0, settleMs: t2 - t1 });
    }
    await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    return coldRun(out, failures);
  } finally {
    lambda.destroy();
  }
}

/** Sequential SDK calls (Invoke, or GetFunction); against the floor server the SDK parses the constant reply. */
export async function sdkLatency(e: Endpoint, op: 'invoke' | 'get-function', functionName: string, warmup: number, count: number): Promise<LatencyRun> {
  const lambda = client(e);
  const payload = Buffer.from('{}');
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    for (let i = 0; i < warmup + count; i++) {
      const t0 = nowMs();
      let failure: string | undefined;
      try {
        if (op === 'invoke') {
          const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: payload }));
          if (out.StatusCode !== 200 || out.FunctionError !== undefined) failure = `${out.StatusCode ?? '?'} ${out.FunctionError ?? ''} ${Buffer.from(out.Payload ?? []).toString('utf8').slice(0, 200)}`;
        } else {
          await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
        }
      } catch (err) {
        failure = String(err);
      }
      const dt = nowMs() - t0;
      if (failure !== undefined) {
        errors++;
        firstError ??= `SDK ${op} ${functionName}: ${failure}`;
        if (errors > Math.max(3, (warmup + count) / 100)) throw new Error(`${errors} failed SDK calls; first: ${firstError}`);
      } else if (i >= warmup) {
        samples.push(dt);
      }
    }
    return firstError === undefined ? { samples, errors } : { samples, errors, firstError };
  } finally {
    lambda.destroy();
  }
}
