// boto3 against Nimbus: starts a server and runs test/integration/boto3_suite.py with the python3 on PATH (the
// suite holds the assertions; see its docstring). Falls back to Debian's /usr/bin/python3 when the PATH python3
// has no boto3, since `npm test` (scripts/setup.sh --test) installs python3-boto3 there.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SUITE = fileURLToPath(new URL('../../../test/integration/boto3_suite.py', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr: err !== null && typeof err.code !== 'number' ? `${stderr}${err.message}` : stderr });
    });
  });
}

/** The first python3 that can import boto3: the one on PATH, then Debian's. */
async function pythonWithBoto3(): Promise<string | undefined> {
  for (const python of ['python3', '/usr/bin/python3']) {
    if ((await run(python, ['-c', 'import boto3'])).code === 0) return python;
  }
  return undefined;
}

let server: TestServer;

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
});

describe('boto3 against Nimbus', () => {
  it('passes boto3_suite.py (control API, waiters, paginator, Invoke, errors, tags)', async () => {
    const python = await pythonWithBoto3();
    assert.ok(python, 'No python3 with boto3 found (PATH python3, /usr/bin/python3): `npm test` installs python3-boto3 (scripts/setup.sh --test).');
    const result = await run(python, [SUITE, server.url]);
    assert.equal(result.code, 0, `boto3_suite.py failed (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^boto3 suite: \d+ checks passed/m);
    console.log(result.stdout.trim());
  });
});
