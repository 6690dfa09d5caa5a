// The Nimbus under test: started in-process on 127.0.0.1:0 with a temp data dir and silent logs, exactly as
// `startNimbus` is composed for `nimbus serve`. In-process keeps clean-up certain (one owner of the temp
// dir and of every runtime process) and lets the bench read the port directly; the load comes from a
// worker thread (load-worker.ts) so the client never runs on the server's event loop. For the memory figures a
// Nimbus also runs as its own process (`nimbus serve`), so that its RSS is the server's alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Config, type ConfigOverrides, loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observe/index.js';
import { type RunningNimbus, startNimbus } from '../src/main/index.js';

/** Source directory of the hello fixture (the compiled bench runs from dist/bench/). */
export const HELLO_DIR = fileURLToPath(new URL('../../test/fixtures/functions/hello', import.meta.url));
export const PY_HELLO_DIR = fileURLToPath(new URL('../../test/fixtures/functions/python-hello', import.meta.url));

export interface BenchNimbus {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  /** The configuration it runs with (e.g. to report the limits a scenario is under). */
  readonly config: Config;
  readonly nimbus: RunningNimbus;
  stop(): Promise<void>;
}

/**
 * `isolation: 'none'` starts a second Nimbus without the bubblewrap sandbox, to measure what the sandbox costs;
 * `engine` overrides engine settings (e.g. `runtimeSlots: 0` for cold starts that start their runtime).
 */
export async function startBenchNimbus(
  parentDir: string, isolation: 'auto' | 'none' = 'auto', account: ConfigOverrides['account'] = {}, engine: ConfigOverrides['engine'] = {},
): Promise<BenchNimbus> {
  const dataDir = mkdtempSync(join(parentDir, 'nimbus-data-'));
  // The real loader, with an empty environment so a developer's NIMBUS_* variables cannot skew the run.
  const config = loadConfig({}, {
    server: { host: '127.0.0.1', port: 0, dataDir, shutdownGraceMs: 1000 },
    engine: { isolation, ...engine },
    account,
    log: { level: 'silent' },
  });
  const nimbus = await startNimbus(config, createLogger(config.log.level));
  let stopping: Promise<void> | undefined;
  return {
    port: nimbus.port,
    url: nimbus.url,
    dataDir,
    config,
    nimbus,
    stop: () => {
      stopping ??= nimbus.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

/** Nimbus's own view of its environments (GET /_nimbus/health). */
export interface EnvironmentStats {
  readonly idle: number;
  readonly busy: number;
  readonly pools: number;
  readonly memoryCommittedMb: number;
  readonly memoryBudgetMb: number;
}

export function environmentStats(port: number): Promise<EnvironmentStats | undefined> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/_nimbus/health' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { environments?: EnvironmentStats }).environments);
        } catch {
          resolve(undefined);
        }
      });
    }).on('error', () => resolve(undefined));
  });
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'nimbus-bench-'));
}

export function removeTempRoot(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A Nimbus in its own process (`nimbus serve`), for figures about the server process itself (memory). */
export interface NimbusProcess {
  readonly pid: number;
  readonly port: number;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/**
 * `node dist/src/cli/main.js serve --port 0` with a temp data dir, silent logs and otherwise only PATH in its
 * environment (so a developer's NIMBUS_* variables cannot skew it); resolves once it printed its URL. stop()
 * sends SIGTERM (Nimbus stops its environments), SIGKILL after 15 s, and deletes the data dir.
 */
export async function startNimbusProcess(parentDir: string): Promise<NimbusProcess> {
  const dataDir = mkdtempSync(join(parentDir, 'nimbus-proc-'));
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NIMBUS_LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit');
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      const m = /Nimbus http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`nimbus serve exited before it listened: ${output.slice(0, 500)}`)));
  }).catch(async (err: unknown) => {
    await stop();
    throw err;
  });
  child.stdout.resume();
  return { pid: child.pid ?? -1, port, stop };
}
