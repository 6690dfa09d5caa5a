// `nimbus doctor` end to end: the compiled CLI as a child process. Its claims must match what a server started on
// the same host reports in GET /_nimbus/health, its probes must leave no cgroup behind and must not disturb a
// running server's groups, and without root it must report the degraded mode and still exit 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestServer, type TestServer } from '../helpers/server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = path.join(root, 'dist/src/cli/main.js');
const CGROUP_ROOT = '/sys/fs/cgroup';
const NOBODY = 65534;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface Health {
  protections: { treeKill: string; freeze: string; memoryLimit: string; cpuLimit: string; pidsLimit: string; filesystemIsolation: string; user: string };
  cgroups: Record<string, string>;
}

/** Runs the CLI asynchronously, so the server in this process keeps serving meanwhile. */
function runCli(args: readonly string[], ids: { uid: number; gid: number } | undefined = undefined): Promise<Run> {
  const { NODE_EXTRA_CA_CERTS: _ca, ...env } = process.env;
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], ...(ids ?? {}) });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const LABELS = ['root', 'tree kill', 'freeze', 'memory limit', 'cpu limit', 'pids limit', 'isolation', 'node', 'better-sqlite3', 'port \\d+'] as const;

/** label → the check's line, and whether it is ✓. */
function parseChecks(stdout: string): Map<string, { ok: boolean; line: string }> {
  const checks = new Map<string, { ok: boolean; line: string }>();
  for (const label of LABELS) {
    const line = stdout.split('\n').find((l) => new RegExp(`^[✓✗] ${label}\\s`).test(l));
    assert.ok(line !== undefined, `no line for '${label}' in:\n${stdout}`);
    checks.set(label, { ok: line.startsWith('✓'), line });
  }
  return checks;
}

function ok(checks: Map<string, { ok: boolean }>, label: (typeof LABELS)[number]): boolean {
  return checks.get(label)?.ok === true;
}

/** Every `doctor-*` directory under `/sys/fs/cgroup/<hierarchy>/nimbus`. */
function doctorLeftovers(): string[] {
  if (!existsSync(CGROUP_ROOT)) return [];
  return readdirSync(CGROUP_ROOT).flatMap((hierarchy) => {
    const dir = path.join(CGROUP_ROOT, hierarchy, 'nimbus');
    try {
      return readdirSync(dir).filter((name) => name.startsWith('doctor-')).map((name) => path.join(dir, name));
    } catch {
      return [];
    }
  });
}

function mounts(): string[][] {
  try {
    return readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' '));
  } catch {
    return [];
  }
}

/** True when every directory above `file` can be entered by other users (so `nobody` can run the CLI). */
function reachableByOthers(file: string): boolean {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

describe('nimbus doctor', () => {
  let server: TestServer;
  let health: Health;

  before(async () => {
    // A live server while the doctor probes: its `server-*` groups must survive untouched.
    server = await startTestServer();
    health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as Health;
  });

  after(async () => {
    await server.stop();
  });

  it('prints a line per check, ends with the protections summary, exits 0, and agrees with a server on this host', async () => {
    const run = await runCli(['doctor']);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.stderr, '');
    const checks = parseChecks(run.stdout);
    const lines = run.stdout.trimEnd().split('\n');
    const summary = lines.at(-1) ?? '';
    assert.match(summary, /^protections available: /);

    // What doctor claims is exactly what the server enforces, protection by protection.
    const p = health.protections;
    assert.equal(ok(checks, 'tree kill'), p.treeKill === 'cgroup2', checks.get('tree kill')?.line);
    assert.equal(ok(checks, 'freeze'), p.freeze === 'cgroup2', checks.get('freeze')?.line);
    assert.equal(ok(checks, 'memory limit'), p.memoryLimit !== 'none', checks.get('memory limit')?.line);
    assert.equal(ok(checks, 'cpu limit'), p.cpuLimit !== 'none', checks.get('cpu limit')?.line);
    assert.equal(ok(checks, 'pids limit'), p.pidsLimit !== 'none', checks.get('pids limit')?.line);
    assert.equal(ok(checks, 'isolation'), p.filesystemIsolation === 'bubblewrap', checks.get('isolation')?.line);
    const [available = ''] = summary.replace(/^protections available: /, '').split('; not available: ');
    for (const [on, name] of [
      [p.treeKill === 'cgroup2', 'tree kill (cgroup2)'],
      [p.freeze === 'cgroup2', 'freeze (cgroup2)'],
      [p.memoryLimit !== 'none', `memory limit (${p.memoryLimit === 'cgroup-v2' ? 'cgroup v2' : 'cgroup v1'})`],
      [p.cpuLimit !== 'none', `cpu limit (${p.cpuLimit === 'cgroup-v2' ? 'cgroup v2' : 'cgroup v1'})`],
      [p.pidsLimit !== 'none', `pids limit (${p.pidsLimit === 'cgroup-v2' ? 'cgroup v2' : 'cgroup v1'})`],
      [p.filesystemIsolation === 'bubblewrap', 'filesystem isolation (bubblewrap)'],
      [p.user === 'sbx_user1051', 'unprivileged user (sbx_user1051)'],
    ] as const) {
      assert.equal(available.includes(name), on, `summary and health disagree on ${name}: ${summary}`);
    }

    // On a host like this project's (root, cgroup v1 controllers, a cgroup2 mount, bubblewrap) everything is ✓.
    const m = mounts();
    const v1 = (c: string) => m.some(([, , type, opts]) => type === 'cgroup' && (opts ?? '').split(',').includes(c));
    if (process.getuid?.() === 0) {
      assert.ok(ok(checks, 'root'));
      if (m.some(([, , type]) => type === 'cgroup2')) assert.ok(ok(checks, 'tree kill') && ok(checks, 'freeze'), run.stdout);
      for (const [c, label] of [['memory', 'memory limit'], ['cpu', 'cpu limit'], ['pids', 'pids limit']] as const) {
        if (v1(c)) assert.ok(ok(checks, label), run.stdout);
      }
    }
    assert.ok(ok(checks, 'node') && ok(checks, 'better-sqlite3'), run.stdout);

    // Nothing left behind, and the running server's groups are still there.
    assert.deepEqual(doctorLeftovers(), []);
    for (const dir of Object.values(health.cgroups)) assert.ok(existsSync(dir), `server cgroup ${dir} disappeared`);
  });

  it('without root reports the degraded mode with a fix per missing protection, and still exits 0', async () => {
    // Prerequisites fail the test, never skip it: `npm test` runs as root (setup.sh --test needs it too).
    assert.equal(process.getuid?.(), 0, 'this test runs the CLI as nobody, which needs root: run npm test as root');
    assert.ok(reachableByOthers(cli), `${cli} must be reachable by other users to run it as nobody: chmod o+x its parent directories`);
    const run = await runCli(['doctor'], { uid: NOBODY, gid: NOBODY });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const checks = parseChecks(run.stdout);
    for (const label of ['root', 'tree kill', 'freeze', 'memory limit', 'cpu limit', 'pids limit'] as const) {
      assert.equal(ok(checks, label), false, `${label} claimed without root:\n${run.stdout}`);
    }
    assert.match(run.stdout, /fix: run Nimbus as root/);
    // Without root only bubblewrap's unprivileged (user namespace) mode can remain, and never the uid drop.
    assert.match(run.stdout.trimEnd().split('\n').at(-1) ?? '', /^protections available: (none|filesystem isolation \(bubblewrap\);)/);
    assert.match(checks.get('isolation')?.line ?? '', /as the server's user \(not root\)|cannot build a sandbox|not installed/);
    assert.deepEqual(doctorLeftovers(), []);
  });

  it('is listed in --help and rejects bad options with exit 2', async () => {
    const help = await runCli(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /nimbus doctor/);
    const bad = await runCli(['doctor', '--port', 'x']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--port/);
  });
});
