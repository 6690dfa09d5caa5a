// The load generator's thread. The bench keeps the servers under test (Nimbus and the floors) on the main
// thread and every client on this worker: separate event loops and heaps, so the client's own work does not
// queue behind the server's (and vice versa), and both servers are measured through the same client code.
import { parentPort } from 'node:worker_threads';
import { type BurstResult, burstRun, type HttpTarget, type LatencyRun, latencyRun, throughputRun, type ThroughputSlice } from './http-load.js';
import { type ColdRun, coldAfterUpdate, coldFresh, deploy, type DeployOptions, type Endpoint, sdkLatency } from './nimbus-scenarios.js';

export type Job =
  | { kind: 'latency'; target: HttpTarget; warmup: number; count: number }
  | { kind: 'throughput'; target: HttpTarget; concurrency: number; durationMs: number; warmupMs: number }
  | { kind: 'deploy'; endpoint: Endpoint; helloDir: string; name: string; options?: DeployOptions }
  | { kind: 'burst'; target: HttpTarget; n: number; timeoutMs: number }
  | { kind: 'cold-fresh'; endpoint: Endpoint; helloDir: string; prefix: string; n: number; runtime?: DeployOptions['runtime'] }
  | { kind: 'cold-update'; endpoint: Endpoint; helloDir: string; name: string; n: number }
  | { kind: 'sdk-latency'; endpoint: Endpoint; op: 'invoke' | 'get-function'; functionName: string; warmup: number; count: number };

export interface JobResults {
  latency: LatencyRun;
  throughput: ThroughputSlice;
  deploy: null;
  burst: BurstResult;
  'cold-fresh': ColdRun;
  'cold-update': ColdRun;
  'sdk-latency': LatencyRun;
}

export type JobMessage = { id: number; job: Job };
export type ReplyMessage = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

async function run(job: Job): Promise<unknown> {
  switch (job.kind) {
    case 'latency': return latencyRun(job.target, job.warmup, job.count);
    case 'throughput': return throughputRun(job.target, job.concurrency, job.durationMs, job.warmupMs);
    case 'deploy': return deploy(job.endpoint, job.helloDir, job.name, job.options).then(() => null);
    case 'burst': return burstRun(job.target, job.n, job.timeoutMs);
    case 'cold-fresh': return coldFresh(job.endpoint, job.helloDir, job.prefix, job.n, job.runtime);
    case 'cold-update': return coldAfterUpdate(job.endpoint, job.helloDir, job.name, job.n);
    case 'sdk-latency': return sdkLatency(job.endpoint, job.op, job.functionName, job.warmup, job.count);
  }
}

// The SDK warns once per process that it will need Node 22 from 2027; that is not this bench's business.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const port = parentPort;
if (port !== null) {
  port.on('message', (msg: JobMessage) => {
    run(msg.job).then(
      (result) => port.postMessage({ id: msg.id, ok: true, result } satisfies ReplyMessage),
      (err: unknown) => port.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies ReplyMessage),
    );
  });
}
