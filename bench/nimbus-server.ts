// The Nimbus under test: started in-process on 127.0.0.1:0 with a temp data dir and silent logs, exactly as
// `startNimbus` is composed for `nimbus serve`. In-process keeps clean-up certain (one owner of the temp
// dir and of every runtime process) and lets the bench read the port directly; the load comes from a
// worker thread (load-worker.ts) so the client never runs on the server's event loop.
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ConfigOverrides, loadConfig } from '../src/config/index.js';
import { createLogger } from '../src/observe/index.js';
import { type RunningNimbus, startNimbus } from '../src/main/index.js';

/** Source directory of the hello fixture (the compiled bench runs from dist/bench/). */
export const HELLO_DIR = fileURLToPath(new URL('../../test/fixtures/functions/hello', import.meta.url));
export const PY_HELLO_DIR = fileURLToPath(new URL('../../test/fixtures/functions/python-hello', import.meta.url));

export interface BenchNimbus {
  readonly port: number;
  readonly url: string;
  readonly dataDir: string;
  readonly nimbus: RunningNimbus;
  stop(): Promise<void>;
}

/** `isolation: 'none'` starts a second Nimbus without the bubblewrap sandbox, to measure what the sandbox costs. */
export async function startBenchNimbus(parentDir: string, isolation: 'auto' | 'none' = 'auto', account: ConfigOverrides['account'] = {}): Promise<BenchNimbus> {
  const dataDir = mkdtempSync(join(parentDir, 'nimbus-data-'));
  // The real loader, with an empty environment so a developer's NIMBUS_* variables cannot skew the run.
  const config = loadConfig({}, {
    server: { host: '127.0.0.1', port: 0, dataDir, shutdownGraceMs: 1000 },
    engine: { isolation },
    account,
    log: { level: 'silent' },
  });
  const nimbus = await startNimbus(config, createLogger(config.log.level));
  let stopping: Promise<void> | undefined;
  return {
    port: nimbus.port,
    url: nimbus.url,
    dataDir,
    nimbus,
    stop: () => {
      stopping ??= nimbus.stop().finally(() => rmSync(dataDir, { recursive: true, force: true }));
      return stopping;
    },
  };
}

/** Nimbus's own view of its environments (GET /_nimbus/health). */
export function environmentStats(port: number): Promise<{ idle: number; busy: number; pools: number } | undefined> {
  return new Promise((resolve) => {
    get({ host: '127.0.0.1', port, path: '/_nimbus/health' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { environments?: { idle: number; busy: number; pools: number } }).environments);
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
