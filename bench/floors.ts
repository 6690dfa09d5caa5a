// Floors measured in the same run as Nimbus, on the main thread where Nimbus runs (performance-floors.md §4):
//   - process start: `node -e 0` spawn → exit, bare and behind the `sh -c 'exec …'` wrapper Nimbus uses to
//     join a cgroup before exec;
//   - Runtime API round trip: a tiny node:http server plus a spawned node child that requires the handler,
//     GETs /next, calls it, POSTs /response and exits (spawn → first /next, spawn → /response); and the same
//     with 100 children spawned at once (a burst of new environments);
//   - the RSS of an idle node:http server process (the floor for the Nimbus server's own memory);
//   - a constant-JSON node:http server, the floor for the warm invoke path and GetFunction.
// Children get a clean environment (PATH only): NODE_EXTRA_CA_CERTS alone costs a node start several ms.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { procMemory } from './proc-memory.js';
import { nowMs } from './stats.js';

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...extra };
}

/** Spawn → exit of `command args`, ms. stdio is piped and drained, as Nimbus does for runtimes. */
export async function spawnToExit(command: string, args: readonly string[]): Promise<number> {
  const t0 = nowMs();
  const child = spawn(command, [...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.resume();
  child.stderr.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  const dt = nowMs() - t0;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${String(code)}`);
  return dt;
}

export const nodeExitFloor = () => spawnToExit(process.execPath, ['-e', '0']);
export const shWrappedNodeExitFloor = () => spawnToExit('/bin/sh', ['-c', 'exec "$@"', 'sh', process.execPath, '-e', '0']);
/** The host's real Python (what python3.x functions run on; not a pyenv shim), started to exit. */
export const pythonExitFloor = () => spawnToExit('/usr/bin/python3', ['-c', 'pass']);

// ── Runtime API round trip ───────────────────────────────────────────────────────────────────────────────

const FLOOR_RUNTIME = `'use strict';
// Minimal Runtime API client (bench floor): one /next, the handler, one /response, exit.
const http = require('node:http');
const api = process.env.AWS_LAMBDA_RUNTIME_API;
const colon = api.lastIndexOf(':');
const agent = new http.Agent({ keepAlive: true });
const call = (method, path, body) => new Promise((resolve, reject) => {
  const headers = body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
  const req = http.request({ host: api.slice(0, colon), port: Number(api.slice(colon + 1)), method, path, headers, agent }, (res) => {
    const chunks = [];
    res.on('data', (c) => chunks.push(c));
    res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
  });
  req.on('error', reject);
  req.end(body);
});
const handler = require(process.env.LAMBDA_TASK_ROOT + '/index.js').handler;
(async () => {
  const next = await call('GET', '/2018-06-01/runtime/invocation/next');
  const id = next.headers['lambda-runtime-aws-request-id'];
  const result = await handler(JSON.parse(next.body), {});
  await call('POST', '/2018-06-01/runtime/invocation/' + id + '/response', JSON.stringify(result));
  process.exit(0);
})();
`;

export interface RuntimeApiFloorSample {
  /** spawn → the server sees GET /invocation/next. */
  readonly toFirstNextMs: number;
  /** spawn → the server has read POST /invocation/{id}/response. */
  readonly toResponseMs: number;
}

export interface RuntimeApiFloorBurst {
  readonly n: number;
  /** First spawn → the last of the n first GET /invocation/next (the burst's floor: every runtime ready). */
  readonly allNextMs: number;
  /** First spawn → the last POST /response (every runtime has also run the handler once). */
  readonly allResponseMs: number;
  /** Children that exited (or were killed after the timeout) without posting a response. */
  readonly failed: number;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export class RuntimeApiFloor {
  private constructor(private readonly script: string, private readonly taskRoot: string) {}

  static create(tmpDir: string, taskRoot: string): RuntimeApiFloor {
    const script = join(tmpDir, 'floor-runtime.cjs');
    writeFileSync(script, FLOOR_RUNTIME);
    return new RuntimeApiFloor(script, taskRoot);
  }

  /** One environment's life: listen, spawn, first /next, event, /response, child exit. */
  async sample(): Promise<RuntimeApiFloorSample> {
    const b = await this.burst(1);
    if (b.failed > 0) throw new Error('Runtime API floor: the child exited without posting a response');
    return { toFirstNextMs: b.allNextMs, toResponseMs: b.allResponseMs };
  }

  /**
   * `n` environments at once against one Runtime API server (as a burst of first invocations needs): spawn all
   * n back to back, each GETs /next once, gets its own event, POSTs /response and exits.
   */
  async burst(n: number): Promise<RuntimeApiFloorBurst> {
    let nexts = 0;
    let responses = 0;
    let lastNext = 0;
    let lastResponse = 0;
    const server: Server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') {
        nexts += 1;
        lastNext = nowMs();
        const body = '{}';
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Lambda-Runtime-Aws-Request-Id': `floor-${nexts}` });
        res.end(body);
        return;
      }
      void readAll(req).then(() => {
        responses += 1;
        lastResponse = nowMs();
        res.writeHead(202, { 'Content-Type': 'application/json', 'Content-Length': 15 });
        res.end('{"status":"OK"}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const env = cleanEnv({ AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`, LAMBDA_TASK_ROOT: this.taskRoot });
      // 10 s per environment as Nimbus's init timeout; a burst shares two cores, so it gets more.
      const limitMs = 10_000 + n * 200;
      const t0 = nowMs();
      const exits = Array.from({ length: n }, async () => {
        const child = spawn(process.execPath, [this.script], { cwd: this.taskRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.resume();
        child.stderr.resume();
        const timeout = setTimeout(() => child.kill('SIGKILL'), limitMs);
        await once(child, 'exit').finally(() => clearTimeout(timeout));
      });
      await Promise.all(exits);
      return { n, allNextMs: lastNext - t0, allResponseMs: lastResponse - t0, failed: n - responses };
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }
}

/**
 * RSS of an idle `node` serving node:http (listening, no request yet): the floor for a Node server's own memory.
 * The child prints "ready" once it listens; it is read `settleMs` later (as the Nimbus server is), then killed.
 */
export async function idleNodeServerRssKb(settleMs: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', "require('node:http').createServer((q, s) => s.end()).listen(0, '127.0.0.1', () => console.log('ready'))"], {
    env: cleanEnv(), stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    await once(child.stdout, 'data');
    await new Promise((r) => setTimeout(r, settleMs));
    return procMemory(child.pid ?? -1)?.rssKb ?? Number.NaN;
  } finally {
    child.kill('SIGKILL');
  }
}

// ── constant-JSON HTTP server ────────────────────────────────────────────────────────────────────────────

export interface FloorServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Reads the request body, then answers 200 with the same JSON the hello function returns. */
export async function startConstantServer(): Promise<FloorServer> {
  const body = Buffer.from(JSON.stringify({ message: 'hello' }));
  const server = createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
