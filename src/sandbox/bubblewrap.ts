// The Lambda filesystem and process view of an execution environment, built by bubblewrap (bwrap): the
// function's code read-only at /var/task, its layers read-only at /opt, the runtime client at /var/runtime, the interpreter at
// /var/lang/bin, a private /tmp sized by EphemeralStorage, the host's /usr and a few /etc files read-only,
// and nothing else of the host (no data directory, no home directories, no other environment's files). It
// runs in its own PID, IPC and mount namespaces. As root, bwrap keeps every capability inside the sandbox,
// so the command it runs is `setpriv`, which drops to Lambda's unprivileged user (sbx_user1051, uid 993) with
// no capabilities before it execs the runtime. Measured on this machine kind: +1 to 5 ms per start
// (notes/isolation-findings.md §4). The detection and probe here are shared with `nimbus doctor`.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Lambda's sandbox user: `id` in a Lambda function prints uid=993(sbx_user1051) gid=990. */
export const SANDBOX_UID = 993;
export const SANDBOX_GID = 990;
const SANDBOX_USER = 'sbx_user1051';

/** Where the runtime sees things inside the sandbox (as on Lambda). */
export const TASK_ROOT = '/var/task';
export const RUNTIME_DIR = '/var/runtime';
export const OPT_DIR = '/opt';
/** The Node binary inside the sandbox; Lambda's is /var/lang/bin/node. */
export const SANDBOX_NODE = '/var/lang/bin/node';

/** Host /etc files a runtime needs (TLS roots, DNS, the dynamic linker's cache); each is bound only if present. */
const ETC_FILES = [
  'ssl', 'ca-certificates', 'pki', 'resolv.conf', 'host.conf', 'nsswitch.conf', 'gai.conf',
  'services', 'protocols', 'localtime', 'ld.so.cache', 'ld.so.conf', 'ld.so.conf.d', 'alternatives', 'mime.types',
];

export interface Bubblewrap {
  readonly path: string;
  readonly version: string;
  /** `setpriv` for the uid drop when running as root; undefined when the sandbox keeps the caller's uid. */
  readonly setpriv: string | undefined;
}

export type BubblewrapDetection = { readonly ok: true; readonly bwrap: Bubblewrap } | { readonly ok: false; readonly reason: string };

export function findOnPath(name: string, extra: readonly string[] = ['/usr/bin', '/usr/local/bin', '/bin']): string | undefined {
  for (const dir of [...extra, ...(process.env['PATH'] ?? '').split(delimiter)]) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return undefined;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Finds bwrap and proves it can build a sandbox here: a real run with the namespaces and mounts Nimbus uses
 * (~5 ms). Containers without user namespaces or mount rights fail this probe, and Nimbus then says so.
 */
export function detectBubblewrap(): BubblewrapDetection {
  const path = findOnPath('bwrap');
  if (path === undefined) return { ok: false, reason: 'bwrap is not installed' };
  const root = isRoot();
  const setpriv = root ? findOnPath('setpriv') : undefined;
  if (root && setpriv === undefined) return { ok: false, reason: 'setpriv (util-linux) is missing, so the sandbox could not drop root' };
  try {
    const version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const probe = [
      ...namespaceArgs(root), '--ro-bind', '/usr', '/usr', ...usrLinks(), '--proc', '/proc', '--dev', '/dev',
      '--perms', '1777', '--size', String(1 << 20), '--tmpfs', '/tmp',
      '--', ...(setpriv === undefined ? [] : [setpriv, ...dropArgs()]), '/usr/bin/test', '-w', '/tmp',
    ];
    execFileSync(path, probe, { timeout: 5000, stdio: 'ignore', env: {} });
    return { ok: true, bwrap: { path, version: version || 'bubblewrap', setpriv } };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? String(err);
    return { ok: false, reason: `bwrap at ${path} cannot build a sandbox here (${message})` };
  }
}

function namespaceArgs(root: boolean): string[] {
  // Without root, bwrap needs a user namespace for the rest; as root it must not make one (it would map the
  // sandbox's user back to host root). --die-with-parent: the sandbox dies with Nimbus even if the cgroup reaper
  // cannot run. --new-session: no TIOCSTI into a terminal.
  return [...(root ? [] : ['--unshare-user']), '--unshare-pid', '--unshare-ipc', '--die-with-parent', '--new-session'];
}

function usrLinks(): string[] {
  return ['--symlink', 'usr/bin', '/bin', '--symlink', 'usr/sbin', '/sbin', '--symlink', 'usr/lib', '/lib', '--symlink', 'usr/lib64', '/lib64'];
}

function dropArgs(): string[] {
  return [`--reuid=${SANDBOX_UID}`, `--regid=${SANDBOX_GID}`, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--'];
}

/**
 * Writes the sandbox's /etc/passwd and /etc/group (root and sbx_user1051 only, as on Lambda) under `dir`
 * and returns their paths. The host's own user list stays out of the sandbox. Its /etc/hosts is the host's plus
 * Lambda's `sandbox.localdomain` (and `sandbox`) for the environment's loopback, where Telemetry API subscribers
 * listen.
 */
export function writeSandboxEtc(dir: string): { passwd: string; group: string; hosts: string } {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const passwd = join(dir, 'passwd');
  const group = join(dir, 'group');
  writeFileSync(passwd, `root:x:0:0:root:/root:/sbin/nologin\n${SANDBOX_USER}:x:${SANDBOX_UID}:${SANDBOX_GID}::/home/${SANDBOX_USER}:/sbin/nologin\n`, { mode: 0o644 });
  writeFileSync(group, `root:x:0:\n${SANDBOX_USER}:x:${SANDBOX_GID}:\n`, { mode: 0o644 });
  const hosts = join(dir, 'hosts');
  let hostHosts = '127.0.0.1\tlocalhost\n';
  try {
    hostHosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    // none on the host: localhost only
  }
  writeFileSync(hosts, `${hostHosts.endsWith('\n') ? hostHosts : `${hostHosts}\n`}127.0.0.1\tsandbox.localdomain sandbox\n`, { mode: 0o644 });
  return { passwd, group, hosts };
}

/** With a private network, the Runtime API's socket inside the sandbox, and the address the runtime is given. */
const RUNTIME_API_SOCKET = '/run/nimbus/runtime-api.sock';
export const PRIVATE_RUNTIME_API = '127.0.0.1:9001';

/**
 * In a private network namespace the runtime still finds the Runtime API at 127.0.0.1:9001: socat, started
 * before the runtime (as root, so the function cannot kill it), relays that port to the environment's Unix
 * socket on the host, bound into the sandbox. The shell waits until the port listens (/proc/net/tcp: 0100007F:2329
 * is 127.0.0.1:9001 in state 0A, LISTEN) so that the runtime's first request cannot race it.
 */
function relayArgs(socat: string): string[] {
  const relay = `${socat} TCP-LISTEN:9001,bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:${RUNTIME_API_SOCKET} 2>/dev/null &` +
    ' while ! grep -q "0100007F:2329 00000000:0000 0A" /proc/net/tcp; do :; done; exec "$@"';
  return ['/bin/sh', '-c', relay, 'sh'];
}

export interface SandboxLayout {
  /** Host directory mounted read-only at /var/task. */
  readonly taskRoot: string;
  /** Host directory of the runtime client, mounted read-only at /var/runtime. */
  readonly runtimeDir?: string;
  /** Host directory of the function's merged layers, mounted read-only at /opt (else /opt is empty). */
  readonly optDir?: string;
  /** Host Node binary, mounted read-only at /var/lang/bin/node. */
  readonly node?: string;
  /** Other host paths (an interpreter's prefix outside /usr) mounted read-only at the same path. */
  readonly extraReadOnly?: readonly string[];
  /** Size of the private /tmp (EphemeralStorage), in MB. */
  readonly tmpMb: number;
  /** A private network namespace (no network at all) reaching the Runtime API through this host Unix socket. */
  readonly privateNetwork?: { readonly runtimeApiSocket: string; readonly socat: string };
  readonly etc: { readonly passwd: string; readonly group: string; readonly hosts: string };
}

/** bwrap's arguments up to and including the command separator; append the runtime's command after them. */
export function bubblewrapArgs(bwrap: Bubblewrap, layout: SandboxLayout): string[] {
  const args = [
    ...namespaceArgs(bwrap.setpriv !== undefined),
    '--ro-bind', '/usr', '/usr', ...usrLinks(),
    '--proc', '/proc', '--dev', '/dev',
    // Explicit dirs: bwrap would create missing parents 0700, unreadable to the sandbox user.
    '--dir', '/etc', '--dir', '/var', '--dir', '/var/lang', '--dir', '/var/lang/bin', '--dir', OPT_DIR,
    '--perms', '1777', '--size', String(layout.tmpMb * 1024 * 1024), '--tmpfs', '/tmp',
  ];
  for (const name of ETC_FILES) {
    const host = `/etc/${name}`;
    if (existsSync(host)) args.push('--ro-bind', host, host);
  }
  args.push('--ro-bind', layout.etc.passwd, '/etc/passwd', '--ro-bind', layout.etc.group, '/etc/group', '--ro-bind', layout.etc.hosts, '/etc/hosts');
  args.push('--ro-bind', layout.taskRoot, TASK_ROOT);
  if (layout.runtimeDir !== undefined) args.push('--ro-bind', layout.runtimeDir, RUNTIME_DIR);
  else args.push('--dir', RUNTIME_DIR);
  if (layout.optDir !== undefined) args.push('--ro-bind', layout.optDir, OPT_DIR);
  if (layout.node !== undefined) args.push('--ro-bind', layout.node, SANDBOX_NODE);
  for (const path of layout.extraReadOnly ?? []) args.push('--ro-bind', path, path);
  const net = layout.privateNetwork;
  if (net !== undefined) args.push('--unshare-net', '--dir', '/run/nimbus', '--ro-bind', net.runtimeApiSocket, RUNTIME_API_SOCKET);
  args.push('--chdir', TASK_ROOT, '--');
  if (net !== undefined) args.push(...relayArgs(net.socat));
  if (bwrap.setpriv !== undefined) args.push(bwrap.setpriv, ...dropArgs());
  return args;
}
