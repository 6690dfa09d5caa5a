// Starts a real Nimbus server for a test: port 0, a fresh temp data dir, quiet logs. Callers must `stop()`.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { loadConfig, type ConfigOverrides } from '../../src/config/index.js';
import { createLogger } from '../../src/observe/index.js';
import { type RunningNimbus, startNimbus } from '../../src/main/index.js';

export interface TestServer {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly nimbus: RunningNimbus;
  readonly lambda: LambdaClient;
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export const TEST_ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
export const TEST_CREDENTIALS = { accessKeyId: 'AKIDNIMBUSTEST', secretAccessKey: 'nimbus-test-secret' };

export async function startTestServer(overrides: ConfigOverrides = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'nimbus-test-'));
  const config = loadConfig({}, {
    ...overrides,
    server: { host: '127.0.0.1', port: 0, dataDir: dir, shutdownGraceMs: 2000, ...overrides.server },
    log: { level: process.env['NIMBUS_TEST_LOG'] ?? 'silent', ...overrides.log },
  });
  const nimbus = await startNimbus(config, createLogger(config.log.level));
  const lambda = new LambdaClient({ endpoint: nimbus.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
  return {
    url: nimbus.url,
    port: nimbus.port,
    dataDir: dir,
    nimbus,
    lambda,
    async stop(options = {}) {
      await nimbus.stop();
      lambda.destroy();
      if (!options.keepData) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the server's functions run in the bubblewrap sandbox (Lambda's layout), as its health output says. */
/**
 * Starts one server for the enclosing describe block (before/after hooks) and hands it over, with whether its
 * environments run in the bubblewrap sandbox.
 */
export function serverPerSuite(use: (server: TestServer, sandboxed: boolean) => void, overrides: ConfigOverrides = {}): void {
  let server: TestServer | undefined;
  before(async () => {
    server = await startTestServer(overrides);
    use(server, await isSandboxed(server));
  });
  after(async () => {
    await server?.stop();
  });
}

export async function isSandboxed(server: TestServer): Promise<boolean> {
  const health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as { protections: { filesystemIsolation: string } };
  return health.protections.filesystemIsolation === 'bubblewrap';
}

/** The messages of a function's log group, read back through Nimbus's CloudWatch Logs subset (FilterLogEvents). */
export async function functionLogMessages(server: TestServer, functionName: string): Promise<string[]> {
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Logs_20140328.FilterLogEvents' },
    body: JSON.stringify({ logGroupName: `/aws/lambda/${functionName}` }),
  });
  return ((await res.json()) as { events: Array<{ message: string }> }).events.map((e) => e.message);
}
