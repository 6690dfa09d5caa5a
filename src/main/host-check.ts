// `nimbus doctor`'s host check: for each protection Nimbus uses, whether this host supports it and, if not, what
// to do. Which mounts and control files count comes from the sandbox (sandbox/cgroup-mounts.ts), the same rules
// its own detection uses, so that `protections` is what a server started now would report in GET /_nimbus/health. Each probe creates `<mount>/nimbus/doctor-<pid>` and removes it again (and `nimbus`
// itself when the probe created it and nothing else lives there); it never touches `server-*` directories.
import { type Dirent, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  cgroupMounts, type CgroupMounts, detectBubblewrap, enableControllers, enabledForChildren, findOnPath, NIMBUS_CGROUP_DIR, type Protections, V1_PROBE_FILE,
  type V1Controller, V2_FREEZE_FILE, V2_KILL_FILE,
} from '../sandbox/index.js';

export type HostCheckId = 'root' | 'tree-kill' | 'freeze' | 'memory' | 'cpu' | 'pids' | 'bubblewrap' | 'network' | 'node' | 'sqlite' | 'port';

export interface HostCheck {
  readonly id: HostCheckId;
  readonly ok: boolean;
  /** Short name of what is checked, e.g. "memory limit". */
  readonly label: string;
  /** The mechanism and what was found. */
  readonly detail: string;
  /** What to install or enable; present when `ok` is false. */
  readonly fix?: string;
  /** Nimbus cannot run at all while this check fails (everything else only degrades a protection). */
  readonly required: boolean;
}

export interface HostReport {
  readonly checks: readonly HostCheck[];
  /** What a server started now would report as `protections` in GET /_nimbus/health. */
  readonly protections: Protections;
  /** False only when Nimbus cannot run here at all (a required check failed). */
  readonly canRun: boolean;
}

export interface HostCheckOptions {
  /** Where `nimbus serve` would listen; the check reports a taken port without failing. */
  readonly host: string;
  readonly port: number;
  /** The configured engine.network: 'none' adds a (required) check for what a private network needs. */
  readonly network?: 'host' | 'none';
}

const MIN_NODE: readonly [number, number] = [20, 9];
const V1_LABEL: Record<V1Controller, string> = { memory: 'memory limit', cpu: 'cpu limit', pids: 'pids limit' };
const V1_ENFORCED: Record<V1Controller, string> = {
  memory: 'functions are held to their MemorySize',
  cpu: 'CPU in proportion to memory (1,769 MB = one vCPU)',
  pids: 'a process limit per environment contains fork bombs',
};
const V1_EFFECT: Record<V1Controller, string> = {
  memory: 'functions can use more memory than their MemorySize; Max Memory Used is the runtime process\'s own peak',
  cpu: 'functions get all the CPU they want instead of a share proportional to memory',
  pids: 'a fork bomb in a function is not contained',
};

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

interface ProbeResult {
  /** The probe group could be created (and was removed again). */
  readonly created: boolean;
  /** Which of the asked-for files the probe group had. */
  readonly present: ReadonlySet<string>;
  readonly error?: NodeJS.ErrnoException;
  /** Cleanup failed: what was left behind (never expected; reported rather than hidden). */
  readonly leftover?: string;
}

/**
 * Creates `<mount>/nimbus/doctor-<pid>`, notes which of `files` it has, and removes it again, plus
 * `<mount>/nimbus` when this probe created it and it holds no group of anyone else.
 */
function probeCgroupDir(mountPoint: string, files: readonly string[]): ProbeResult {
  const parent = join(mountPoint, NIMBUS_CGROUP_DIR);
  const probe = join(parent, `doctor-${process.pid}`);
  const createdParent = !existsSync(parent);
  let created = false;
  const present = new Set<string>();
  let error: NodeJS.ErrnoException | undefined;
  let leftover: string | undefined;
  try {
    mkdirSync(parent, { recursive: true });
    mkdirSync(probe, { recursive: true });
    created = true;
    for (const file of files) if (existsSync(join(probe, file))) present.add(file);
  } catch (err) {
    error = err as NodeJS.ErrnoException;
  }
  if (created) {
    try {
      rmdirSync(probe);
    } catch {
      leftover = probe;
    }
  }
  if (createdParent && existsSync(parent)) {
    // A server starting right now may have put its `server-*` group in there: then it stays.
    const hasGroups = safeReaddir(parent).some((e) => e.isDirectory());
    if (!hasGroups) {
      try {
        rmdirSync(parent);
      } catch {
        // taken over by a server in the meantime
      }
    }
  }
  return { created, present, ...(error === undefined ? {} : { error }), ...(leftover === undefined ? {} : { leftover }) };
}

function safeReaddir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function errorText(err: NodeJS.ErrnoException | undefined): string {
  return err?.code ?? err?.message ?? 'unknown error';
}

/** A fix for a cgroup directory that could not be created. */
function cannotCreateFix(where: string, err: NodeJS.ErrnoException | undefined): string {
  if (err?.code === 'EROFS') {
    return `${where} is mounted read-only (typical inside a container): give Nimbus a writable cgroup mount ` +
      '(e.g. a privileged container), or accept the degraded mode';
  }
  if ((err?.code === 'EACCES' || err?.code === 'EPERM') && !isRoot()) {
    return 'run Nimbus as root (the cgroup directories belong to root), or accept the degraded mode';
  }
  return `creating a group under ${where} failed with ${errorText(err)}; run as root on a host whose cgroup filesystem is writable, or accept the degraded mode`;
}

const DELEGATION_NOTE =
  'On a systemd host with cgroup v2 only, a delegated subtree (`systemd-run --user --scope -p Delegate=yes …`) ' +
  'would give a non-root user its own cgroups, but Nimbus does not support that yet: it uses `<cgroup2 mount>/nimbus` only';

function checkCgroup2(mounts: CgroupMounts | undefined): { kill: HostCheck; freeze: HostCheck; root?: string } {
  const v2 = mounts?.v2 ?? [];
  const tried: string[] = [];
  let lastError: NodeJS.ErrnoException | undefined;
  let noKill = false;
  for (const point of v2) {
    const result = probeCgroupDir(point, [V2_KILL_FILE, V2_FREEZE_FILE]);
    tried.push(point);
    if (!result.created) {
      lastError = result.error;
      continue;
    }
    if (!result.present.has(V2_KILL_FILE)) {
      noKill = true;
      continue;
    }
    // The first mount with cgroup.kill is the one the sandbox uses, for tree kill and freezing alike.
    const leftover = result.leftover === undefined ? '' : ` (could not remove ${result.leftover})`;
    const kill: HostCheck = {
      id: 'tree-kill', ok: true, required: false, label: 'tree kill',
      detail: `cgroup2 cgroup.kill in ${join(point, NIMBUS_CGROUP_DIR)}: a timeout kills every process of the environment${leftover}`,
    };
    const freeze: HostCheck = result.present.has(V2_FREEZE_FILE)
      ? { id: 'freeze', ok: true, required: false, label: 'freeze', detail: `cgroup2 cgroup.freeze in ${join(point, NIMBUS_CGROUP_DIR)}: idle environments are frozen between invocations` }
      : {
          id: 'freeze', ok: false, required: false, label: 'freeze',
          detail: `cgroup2 at ${point} has no cgroup.freeze`,
          fix: 'cgroup.freeze needs Linux ≥ 5.2; idle environments keep running between invocations until then',
        };
    return { kill, freeze, root: point };
  }
  let detail: string;
  let fix: string;
  if (mounts === undefined) {
    detail = 'cannot read /proc/mounts';
    fix = 'mount /proc (Nimbus finds the cgroup filesystems through /proc/mounts)';
  } else if (v2.length === 0) {
    detail = 'no cgroup2 filesystem is mounted';
    fix = 'as root: `mkdir -p /sys/fs/cgroup/unified && mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified` (Linux ≥ 5.14 for cgroup.kill)';
  } else if (noKill) {
    detail = `cgroup2 at ${tried.join(', ')} has no cgroup.kill`;
    fix = 'cgroup.kill needs Linux ≥ 5.14: upgrade the kernel';
  } else {
    detail = `cannot create a group under ${tried.map((p) => join(p, NIMBUS_CGROUP_DIR)).join(', ')} (${errorText(lastError)})`;
    fix = cannotCreateFix(tried.join(', '), lastError);
    if (!isRoot()) fix += `. ${DELEGATION_NOTE}`;
  }
  return {
    kill: {
      id: 'tree-kill', ok: false, required: false, label: 'tree kill',
      detail: `${detail}; falls back to killing the process group (processes that call setsid survive a timeout)`, fix,
    },
    freeze: {
      id: 'freeze', ok: false, required: false, label: 'freeze',
      detail: `${detail}; idle environments keep running between invocations`,
      fix: 'as for tree kill: freezing uses the same cgroup2 directory',
    },
  };
}

function checkV1(mounts: CgroupMounts | undefined, controller: V1Controller): HostCheck {
  const label = V1_LABEL[controller];
  const file = V1_PROBE_FILE[controller];
  const base = { id: controller, required: false, label } as const;
  const point = mounts?.v1[controller];
  if (point === undefined) {
    const v2 = checkV2Controller(mounts, controller);
    if (v2 !== undefined) return v2;
    const pureV2 = mounts?.unifiedOnly ?? false;
    return {
      ...base, ok: false,
      detail: `no cgroup v1 ${controller} controller is mounted, and cgroup2 does not offer it to Nimbus; ${V1_EFFECT[controller]}`,
      fix: pureV2
        ? `run Nimbus as root so that it can enable ${controller} in <cgroup2>/nimbus/cgroup.subtree_control (the root cgroup must list it in cgroup.subtree_control)`
        : `as root: \`mkdir -p /sys/fs/cgroup/${controller} && mount -t cgroup -o ${controller} cgroup /sys/fs/cgroup/${controller}\` ` +
          '(possible only while cgroup2 does not use that controller)',
    };
  }
  const result = probeCgroupDir(point, [file]);
  const leftover = result.leftover === undefined ? '' : ` (could not remove ${result.leftover})`;
  if (!result.created) {
    return {
      ...base, ok: false,
      detail: `cannot create a group under ${join(point, NIMBUS_CGROUP_DIR)} (${errorText(result.error)}); ${V1_EFFECT[controller]}`,
      fix: cannotCreateFix(point, result.error),
    };
  }
  if (!result.present.has(file)) {
    return {
      ...base, ok: false,
      detail: `a group under ${join(point, NIMBUS_CGROUP_DIR)} has no ${file}${leftover}; ${V1_EFFECT[controller]}`,
      fix: `the kernel's cgroup v1 ${controller} controller lacks ${file}; enable it in the kernel configuration`,
    };
  }
  return { ...base, ok: true, detail: `cgroup v1 ${file} in ${join(point, NIMBUS_CGROUP_DIR)}: ${V1_ENFORCED[controller]}${leftover}` };
}

/**
 * On hosts whose controllers live in cgroup2: whether `<mount>/nimbus` can enable `controller` for the
 * environments below it, as a server would (the mount root must list it in cgroup.subtree_control). Leaves the
 * enabled controller in place (a server enables it anyway); undefined when no cgroup2 mount offers it at all.
 */
function checkV2Controller(mounts: CgroupMounts | undefined, controller: V1Controller): HostCheck | undefined {
  for (const point of mounts?.v2 ?? []) {
    let offered: string;
    try {
      offered = readFileSync(join(point, 'cgroup.controllers'), 'utf8');
    } catch {
      continue;
    }
    if (!offered.split(/\s+/).includes(controller)) continue;
    const nimbus = join(point, NIMBUS_CGROUP_DIR);
    // Without <mount>/nimbus yet (no server ran), it suffices that the mount root hands the controller down.
    const enabled = existsSync(nimbus) ? enableControllers([point, nimbus], [controller]).has(controller) : enabledForChildren(point).has(controller);
    const base = { id: controller, required: false, label: V1_LABEL[controller] } as const;
    return enabled
      ? { ...base, ok: true, detail: `cgroup2 ${controller} controller enabled in ${nimbus}: ${V1_ENFORCED[controller]}` }
      : {
          ...base, ok: false,
          detail: `cgroup2 offers ${controller} at ${point}, but it cannot be enabled for ${nimbus}; ${V1_EFFECT[controller]}`,
          fix: 'run Nimbus as root (it enables the controller for its own directory when it starts)',
        };
  }
  return undefined;
}

function checkBubblewrap(): HostCheck {
  const base = { id: 'bubblewrap', required: false, label: 'isolation' } as const;
  const found = detectBubblewrap();
  if (!found.ok) {
    return {
      ...base, ok: false,
      detail: `${found.reason}: functions see the host's filesystem, run as the server's user and share its PID namespace`,
      fix: found.reason.startsWith('bwrap is not installed') ? 'apt-get install bubblewrap (Debian/Ubuntu)' : 'run Nimbus as root, or enable unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)',
    };
  }
  const user = found.bwrap.setpriv === undefined ? 'as the server\'s user (not root)' : 'as sbx_user1051 (uid 993) without capabilities';
  return { ...base, ok: true, detail: `${found.bwrap.version}: Lambda's filesystem layout, own PID namespace, ${user}` };
}

/** engine.network "none": the server refuses to start unless the sandbox and socat can give it. */
function checkPrivateNetwork(bubblewrap: HostCheck): HostCheck {
  const base = { id: 'network', required: true, label: 'network none' } as const;
  if (!bubblewrap.ok) return { ...base, ok: false, detail: 'a private network needs the bubblewrap sandbox, which is not available', fix: 'see the isolation line' };
  const socat = findOnPath('socat');
  if (socat === undefined) return { ...base, ok: false, detail: 'socat is not installed (it relays the Runtime API into the private network)', fix: 'apt-get install socat' };
  return { ...base, ok: true, detail: `each environment gets a network namespace of its own with no network; the Runtime API is relayed by ${socat}` };
}

function checkNode(): HostCheck {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  const needs = `needs ≥ ${MIN_NODE.join('.')}`;
  return ok
    ? { id: 'node', ok, required: true, label: 'node', detail: `Node.js v${process.versions.node} (${needs})` }
    : { id: 'node', ok, required: true, label: 'node', detail: `Node.js v${process.versions.node} is too old (${needs})`, fix: `install Node.js ${MIN_NODE.join('.')} or later` };
}

async function checkSqlite(): Promise<HostCheck> {
  const base = { id: 'sqlite', required: true, label: 'better-sqlite3' } as const;
  try {
    const { default: Database } = await import('better-sqlite3');
    // Opening a database loads the native addon; importing the package alone does not.
    const db = new Database(':memory:');
    try {
      const row = db.prepare('SELECT sqlite_version() AS v').get() as { v: string } | undefined;
      return { ...base, ok: true, detail: `loads (SQLite ${row?.v ?? '?'})` };
    } finally {
      db.close();
    }
  } catch (err) {
    return {
      ...base, ok: false,
      detail: `does not load: ${(err as Error).message.split('\n')[0] ?? String(err)}`,
      fix: 'run `npm run setup` in the Nimbus directory (it rebuilds better-sqlite3 for this Node; needs a C/C++ toolchain and python3)',
    };
  }
}

async function checkPort(host: string, port: number): Promise<HostCheck> {
  const base = { id: 'port', required: false, label: `port ${port}` } as const;
  if (port === 0) return { ...base, ok: true, detail: 'port 0: the server picks a free port' };
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
  if (error === undefined) return { ...base, ok: true, detail: `${host}:${port} is free` };
  if (error.code === 'EADDRINUSE') {
    return { ...base, ok: false, detail: `${host}:${port} is in use (another Nimbus or LocalStack?)`, fix: 'stop it, or serve on another port (`nimbus serve --port N` or NIMBUS_PORT)' };
  }
  return { ...base, ok: false, detail: `cannot listen on ${host}:${port} (${errorText(error)})`, fix: 'serve on another address (`nimbus serve --host H --port N`)' };
}

function mechanism(mounts: CgroupMounts | undefined, controller: V1Controller, ok: boolean): 'cgroup-v1' | 'cgroup-v2' | 'none' {
  if (!ok) return 'none';
  return mounts?.v1[controller] === undefined ? 'cgroup-v2' : 'cgroup-v1';
}

/** Checks this host; creates nothing that outlives the call. */
export async function checkHost(options: HostCheckOptions): Promise<HostReport> {
  const mounts = cgroupMounts();
  const root: HostCheck = isRoot()
    ? { id: 'root', ok: true, required: false, label: 'root', detail: 'running as root (cgroups need it today)' }
    : {
        id: 'root', ok: false, required: false, label: 'root',
        detail: `running as uid ${process.getuid?.() ?? '?'}; cgroups need root today`,
        fix: 'run Nimbus as root, or accept the degraded mode (no memory, CPU or process limits, no freezing, process-group kill)',
      };
  const v2 = checkCgroup2(mounts);
  const memory = checkV1(mounts, 'memory');
  const cpu = checkV1(mounts, 'cpu');
  const pids = checkV1(mounts, 'pids');
  const bubblewrap = checkBubblewrap();
  const network = options.network === 'none' ? [checkPrivateNetwork(bubblewrap)] : [];
  const checks = [root, v2.kill, v2.freeze, memory, cpu, pids, bubblewrap, ...network, checkNode(), await checkSqlite(), await checkPort(options.host, options.port)];
  const protections: Protections = {
    treeKill: v2.kill.ok ? 'cgroup2' : 'process-group',
    // The sandbox freezes through the same cgroup2 directory it kills through.
    freeze: v2.kill.ok && v2.freeze.ok ? 'cgroup2' : 'none',
    memoryLimit: mechanism(mounts, 'memory', memory.ok),
    cpuLimit: mechanism(mounts, 'cpu', cpu.ok),
    pidsLimit: mechanism(mounts, 'pids', pids.ok),
    filesystemIsolation: bubblewrap.ok ? 'bubblewrap' : 'none',
    user: bubblewrap.ok && isRoot() ? 'sbx_user1051' : 'server',
    network: network[0]?.ok === true ? 'none' : 'host',
  };
  return { checks, protections, canRun: checks.every((c) => c.ok || !c.required) };
}
