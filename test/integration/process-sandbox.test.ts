// The sandbox on its own (sandbox/process-sandbox.ts): killing a process the moment it was launched, and handing
// code to a sandbox that is already running (sandbox/code-handoff.ts), with real bubblewrap, cgroups and mounts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ProcessSandbox, type SandboxProcess } from '../../src/sandbox/index.js';

function output(proc: SandboxProcess): Promise<string> {
  const chunks: Buffer[] = [];
  proc.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  proc.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
  return proc.exited.then(() => Buffer.concat(chunks).toString('utf8'));
}

describe('process sandbox', () => {
  let dir: string;
  let sandbox: ProcessSandbox;
  const mounts = { runtimeDir: undefined, nodePath: process.execPath };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-sandbox-'));
    mkdirSync(join(dir, 'data', 'code', 'fn'), { recursive: true });
    writeFileSync(join(dir, 'data', 'code', 'fn', 'handler.txt'), 'the code of fn\n', { mode: 0o644 });
    sandbox = await ProcessSandbox.create({ isolation: 'auto', stateDir: join(dir, 'state'), network: 'host', handOff: [join(dir, 'data', 'code')] });
    assert.equal(sandbox.protections.filesystemIsolation, 'bubblewrap', 'these tests need bubblewrap as root (scripts/setup.sh --test)');
  });

  after(() => {
    sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills a process launched a moment ago, before it has joined its groups', async () => {
    for (let i = 0; i < 20; i++) {
      const proc = sandbox.launch({ id: `early-${i}`, command: '/bin/sleep', args: ['30'], env: {}, mounts: { ...mounts, taskRoot: join(dir, 'data') }, memoryMb: 128, tmpMb: 16 });
      await proc.kill();
      assert.notDeepEqual(await proc.exited, { code: 0, signal: null });
    }
  });

  it('hands code to a sandbox that is already running: read-only at /var/task, then the message on stdin', async () => {
    const script = 'read -r message; cd /var/task && cat handler.txt && echo "$message" && touch /var/task/new 2>&1 | sed "s/.*Read-only.*/read-only/"';
    const proc = sandbox.launchDeferred({ id: 'deferred', command: '/bin/sh', args: ['-c', script], env: {}, mounts, memoryMb: 1024, tmpMb: 16 });
    assert.ok(proc !== undefined, 'the handoff works as root with bubblewrap and python3');
    const seen = output(proc);
    assert.ok(sandbox.canHandOff({ taskRoot: join(dir, 'data', 'code', 'fn') }));
    assert.equal(sandbox.canHandOff({ taskRoot: join(dir, 'elsewhere') }), false);
    await proc.assign({ taskRoot: join(dir, 'data', 'code', 'fn') }, 256, 'hello from the engine\n');
    assert.equal(await seen, 'the code of fn\nhello from the engine\nread-only\n');
    await proc.kill();
  });
});
