// The `nimbus` CLI end to end: a real server in this process, the compiled CLI as a child process talking to it
// over HTTP. The CLI runs asynchronously (never spawnSync) so this process keeps serving its requests.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { startTestServer, type TestServer } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const fixtures = path.join(root, 'test/fixtures/functions');
const WAIT_MS = 15_000;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _ca, NIMBUS_ENDPOINT: _endpoint, ...env } = process.env;
  return { ...env, ...extra };
}

function start(args: readonly string[], env = childEnv()): { child: ChildProcess; done: Promise<Run>; stdout: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

let server: TestServer;
const run = (...args: string[]): Promise<Run> => start([...args, '--endpoint', server.url]).done;

/** Polls `check` every 100 ms until it holds (the CLI and the server work asynchronously), failing after WAIT_MS. */
async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
});

let firstRequestId = '';

test('deploy creates the function, then updates it', async () => {
  const created = await run('deploy', path.join(fixtures, 'echo'), '--name', 'cli-echo', '--memory', '256');
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /^created cli-echo: CodeSha256 \S+, \d+ B, state Active\n$/);

  const updated = await run('deploy', path.join(fixtures, 'echo'), '--name', 'cli-echo', '--timeout', '7', '--env', 'AA=1,BB=2', '--env', 'CC=x=y');
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(updated.stdout, /^updated cli-echo: CodeSha256 \S+, \d+ B, state Active\n$/);
  const config = await server.lambda.send(new (await import('@aws-sdk/client-lambda')).GetFunctionConfigurationCommand({ FunctionName: 'cli-echo' }));
  assert.equal(config.MemorySize, 256);
  assert.equal(config.Timeout, 7);
  assert.deepEqual(config.Environment?.Variables, { AA: '1', BB: '2', CC: 'x=y' });
  assert.equal(config.Role, 'arn:aws:iam::000000000000:role/nimbus');
});

test('ls shows the function as a table (endpoint from NIMBUS_ENDPOINT)', async () => {
  const res = await start(['ls'], childEnv({ NIMBUS_ENDPOINT: server.url })).done;
  assert.equal(res.code, 0, res.stderr);
  const [header, ...rows] = res.stdout.trimEnd().split('\n');
  assert.match(header ?? '', /^NAME\s+RUNTIME\s+MEMORY\s+TIMEOUT\s+CODE SIZE\s+LAST MODIFIED$/);
  assert.ok(rows.some((r) => /^cli-echo\s+nodejs20\.x\s+256 MB\s+7 s\s+\d+ B\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/.test(r)), res.stdout);
});

test('invoke prints the result on stdout and the log tail on stderr', async () => {
  const res = await run('invoke', 'cli-echo', '--payload', '{"hello":"cli"}');
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout), { hello: 'cli' });
  assert.match(res.stderr, /^START RequestId: \S+/m);
  assert.match(res.stderr, /^REPORT RequestId: \S+/m);
  firstRequestId = /START RequestId: (\S+)/.exec(res.stderr)?.[1] ?? '';

  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-cli-'));
  try {
    writeFileSync(path.join(dir, 'event.json'), '{"from":"file"}');
    const fromFile = await run('invoke', 'cli-echo', '--payload', `@${path.join(dir, 'event.json')}`);
    assert.deepEqual(JSON.parse(fromFile.stdout), { from: 'file' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invoke of a throwing function prints the error payload and exits 1', async () => {
  const deployed = await run('deploy', path.join(fixtures, 'throw'), '--name', 'cli-throw');
  assert.equal(deployed.code, 0, deployed.stderr);
  const res = await run('invoke', 'cli-throw');
  assert.equal(res.code, 1);
  assert.equal(JSON.parse(res.stdout).errorType, 'TypeError');
  assert.match(res.stderr, /boom/);
});

test('invoke of a missing function prints the AWS error', async () => {
  const res = await run('invoke', 'cli-missing');
  assert.equal(res.code, 1);
  assert.match(res.stderr, /^ResourceNotFoundException: .*cli-missing/m);
});

test('logs prints the START and END lines of earlier invocations', async () => {
  assert.notEqual(firstRequestId, '');
  let last: Run | undefined;
  await eventually('the first invocation in `nimbus logs`', async () => {
    last = await run('logs', 'cli-echo');
    return last.stdout.includes(`END RequestId: ${firstRequestId}`);
  });
  assert.equal(last?.code, 0);
  assert.match(last?.stdout ?? '', new RegExp(`^START RequestId: ${firstRequestId}`, 'm'));

  const none = await run('logs', 'cli-never-invoked');
  assert.equal(none.code, 0);
  assert.match(none.stderr, /no logs yet for cli-never-invoked/);
});

test('logs --follow shows a new invocation and stops cleanly on SIGINT', async () => {
  const follow = start(['logs', 'cli-echo', '--follow', '--endpoint', server.url]);
  try {
    await eventually('the existing lines', () => follow.stdout().includes(`END RequestId: ${firstRequestId}`));
    const res = await server.lambda.send(new InvokeCommand({ FunctionName: 'cli-echo', Payload: Buffer.from('{}') }));
    const requestId = res.$metadata.requestId ?? '';
    await eventually('the new invocation', () => follow.stdout().includes(`END RequestId: ${requestId}`));
    assert.match(follow.stdout(), new RegExp(`^START RequestId: ${requestId}`, 'm'));
    // Printed once each, although every poll re-reads an overlap window.
    assert.equal(follow.stdout().split(`START RequestId: ${requestId}`).length, 2);
    follow.child.kill('SIGINT');
    const done = await follow.done;
    assert.equal(done.signal, null);
    assert.equal(done.code, 0, done.stderr);
  } finally {
    follow.child.kill('SIGKILL');
  }
});

test('deploy keeps links inside the package and refuses packages over 50 MB', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nimbus-cli-big-'));
  try {
    writeFileSync(path.join(dir, 'index.js'), 'exports.handler = async () => require("./alias.js").value;');
    writeFileSync(path.join(dir, 'real.js'), 'exports.value = 42;');
    symlinkSync('real.js', path.join(dir, 'alias.js'));
    const small = await run('deploy', dir, '--name', 'cli-link');
    assert.equal(small.code, 0, small.stderr);
    assert.equal((await run('invoke', 'cli-link')).stdout, '42');

    const { randomBytes } = await import('node:crypto');
    writeFileSync(path.join(dir, 'blob.bin'), randomBytes(52_428_800 + 1024));
    const big = await run('deploy', dir, '--name', 'cli-big');
    assert.equal(big.code, 1);
    assert.match(big.stderr, /zipping .* \/ 50\.0 MB/);
    assert.match(big.stderr, /larger than 50 MB \(52428800 bytes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rm deletes functions and reports the missing ones', async () => {
  const res = await run('rm', 'cli-echo', 'cli-throw', 'cli-link', 'cli-missing');
  assert.equal(res.code, 1);
  assert.equal(res.stdout, 'deleted cli-echo\ndeleted cli-throw\ndeleted cli-link\n');
  assert.match(res.stderr, /^ResourceNotFoundException: /m);
  const ls = await run('ls');
  assert.equal(ls.stdout, '');
  assert.match(ls.stderr, /no functions/);
});

test('an unreachable endpoint gives a clear message and exit 1', async () => {
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  for (const args of [['ls'], ['logs', 'x']]) {
    const res = await start([...args, '--endpoint', url]).done;
    assert.equal(res.code, 1);
    assert.equal(res.stderr, `nimbus: cannot reach the Nimbus server at ${url} — start it with \`npm start\` or \`nimbus serve\`\n`);
  }
});

test('an unknown option prints the usage and exits 2', async () => {
  const res = await run('ls', '--bogus');
  assert.equal(res.code, 2);
  assert.match(res.stderr, /unknown option --bogus\nUsage: nimbus ls/);
  const help = await start(['--help']).done;
  for (const command of ['serve', 'deploy', 'invoke', 'logs', 'ls', 'rm']) assert.match(help.stdout, new RegExp(`nimbus ${command} `));
});
