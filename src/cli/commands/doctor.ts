// `nimbus doctor`: checks this host for every protection Nimbus uses and says, for each one missing, what to
// install or enable. Exit 0 when Nimbus can run here (even degraded), 1 when it cannot (Node too old,
// better-sqlite3 not loading, invalid configuration). Loads the host check (main/) only once it runs, as serve does,
// so `--help` stays fast.
import { release } from 'node:os';
import { type ParsedArgs, parseArgs, requirePositionals, stringOption, UsageError } from '../args.js';

export const doctorUsage = 'nimbus doctor [--host 127.0.0.1] [--port 4566]';

interface Line {
  readonly ok: boolean;
  readonly label: string;
  readonly detail: string;
  readonly fix?: string;
  readonly required: boolean;
}

/** The `protections` of GET /_nimbus/health, as the doctor's summary names them. */
interface ProtectionsView {
  readonly treeKill: string;
  readonly freeze: string;
  readonly memoryLimit: string;
  readonly cpuLimit: string;
  readonly pidsLimit: string;
  readonly filesystemIsolation: string;
  readonly user: string;
  readonly network: string;
}

const LABEL_WIDTH = 15;

function formatLine(line: Line): string {
  const head = `${line.ok ? '✓' : '✗'} ${line.label.padEnd(LABEL_WIDTH)} ${line.detail}${!line.ok && line.required ? ' (required)' : ''}`;
  return line.ok || line.fix === undefined ? head : `${head}\n  ${' '.repeat(LABEL_WIDTH)} fix: ${line.fix}`;
}

/** 'cgroup-v2' → 'cgroup v2'; 'none' names the mechanism Nimbus would use on this project's hosts. */
const cgroupName = (mechanism: string): string => (mechanism === 'cgroup-v2' ? 'cgroup v2' : 'cgroup v1');

/** One line: which protections a server on this host enforces, and which it does not. */
export function protectionSummary(p: ProtectionsView): string {
  const entries: Array<[boolean, string]> = [
    [p.treeKill === 'cgroup2', p.treeKill === 'cgroup2' ? 'tree kill (cgroup2)' : 'tree kill (process group only: setsid escapees survive)'],
    [p.freeze === 'cgroup2', 'freeze (cgroup2)'],
    [p.memoryLimit !== 'none', `memory limit (${cgroupName(p.memoryLimit)})`],
    [p.cpuLimit !== 'none', `cpu limit (${cgroupName(p.cpuLimit)})`],
    [p.pidsLimit !== 'none', `pids limit (${cgroupName(p.pidsLimit)})`],
    [p.filesystemIsolation !== 'none', 'filesystem isolation (bubblewrap)'],
    [p.user === 'sbx_user1051', 'unprivileged user (sbx_user1051)'],
    ...(p.network === 'none' ? [[true, 'no network (private namespace)'] as [boolean, string]] : []),
  ];
  const available = entries.filter(([on]) => on).map(([, name]) => name);
  const missing = entries.filter(([on]) => !on).map(([, name]) => name);
  return (
    `protections available: ${available.length === 0 ? 'none (dev only, no isolation)' : available.join(', ')}` +
    (missing.length === 0 ? '' : `; not available: ${missing.join(', ')}`)
  );
}

export async function doctor(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const args: ParsedArgs = parseArgs(argv, { values: ['host', 'port'], flags: [] });
  requirePositionals(args, []);
  const host = stringOption(args, 'host');
  const port = stringOption(args, 'port');
  if (port !== undefined && (!/^\d+$/.test(port) || Number(port) > 65535)) throw new UsageError(`--port must be 0 to 65535, got '${port}'`);
  const { loadConfig, schema } = await import('../../config/index.js');
  const lines: Line[] = [];
  let address: { host: string; port: number; network?: 'host' | 'none' } = { host: schema.server.host.default, port: schema.server.port.default };
  try {
    const config = loadConfig(process.env, {
      server: { ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port: Number(port) }) },
    });
    address = { host: config.server.host, port: config.server.port, network: config.engine.network === 'none' ? 'none' : 'host' };
  } catch (e) {
    lines.push({
      ok: false, required: true, label: 'configuration', detail: e instanceof Error ? e.message : String(e),
      fix: 'correct the setting (docs/configuration.md lists every key)',
    });
  }
  let main: typeof import('../../main/index.js');
  try {
    main = await import('../../main/index.js');
  } catch (e) {
    // A missing dependency (e.g. better-sqlite3 not installed) stops the server code from loading at all.
    out.write(`${formatLine({
      ok: false, required: true, label: 'nimbus modules', detail: `do not load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      fix: 'run `npm run setup` in the Nimbus directory (installs the dependencies and builds)',
    })}\n`);
    err.write('nimbus doctor: Nimbus cannot run on this host until the lines marked (required) are fixed\n');
    return 1;
  }
  const report = await main.checkHost(address);
  lines.push(...report.checks);
  out.write(`nimbus doctor: Nimbus ${main.VERSION}, Node.js ${process.version}, ${process.platform} ${release()}\n`);
  for (const line of lines) out.write(`${formatLine(line)}\n`);
  const canRun = lines.every((l) => l.ok || !l.required);
  if (!canRun) err.write('nimbus doctor: Nimbus cannot run on this host until the lines marked (required) are fixed\n');
  out.write(`${protectionSummary(report.protections)}\n`);
  return canRun ? 0 : 1;
}
