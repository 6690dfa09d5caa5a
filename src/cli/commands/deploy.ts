// `nimbus deploy <dir> --name N`: zips a directory and creates the function, or updates its code (then its
// configuration, for the options given) when it already exists. Packaging rules live in package-dir.ts.
import type { FunctionConfiguration, Runtime } from '@aws-sdk/client-lambda';
import { stat } from 'node:fs/promises';
import { intOption, type ParsedArgs, parseArgs, requirePositionals, stringOption, UsageError } from '../args.js';
import { formatBytes, ProgressLine } from '../format.js';
import { PackageTooLarge, planPackage, zipPackage } from '../package-dir.js';
import { CliError, connect, DEFAULT_ROLE, REMOTE_OPTIONS, REMOTE_USAGE, type Remote } from '../remote.js';

export const deployUsage =
  'nimbus deploy <dir> --name NAME [--runtime nodejs20.x] [--handler index.handler] [--memory MB] [--timeout S] ' +
  `[--env K=V]... [--role ARN] ${REMOTE_USAGE}`;

/** AWS's limit for a zip uploaded directly in CreateFunction/UpdateFunctionCode. */
export const MAX_DIRECT_UPLOAD_BYTES = 52_428_800;
/** Packages with more file data than this show progress while zipping and uploading. */
const PROGRESS_THRESHOLD_BYTES = 5 * 1024 * 1024;
const POLL_MS = 250;
const SETTLE_TIMEOUT_MS = 120_000;

/** `--env A=1 --env B=2,C=3` → { A: '1', B: '2', C: '3' }. A value containing commas needs its own `--env`. */
export function parseEnv(values: readonly string[]): Record<string, string> | undefined {
  if (values.length === 0) return undefined;
  const env: Record<string, string> = {};
  for (const value of values) {
    const pairs = /^[^=,]+=[^=]*(,[^=,]+=[^=]*)+$/.test(value) ? value.split(',') : [value];
    for (const pair of pairs) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--env takes KEY=VALUE, got '${pair}'`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return env;
}

async function buildPackage(dir: string, err: NodeJS.WritableStream): Promise<Buffer> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isDirectory() !== true) throw new CliError(`nimbus deploy: ${dir} is not a directory`);
  const entries = await planPackage(dir);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  const progress = total > PROGRESS_THRESHOLD_BYTES ? new ProgressLine(err, 'zipping') : undefined;
  try {
    return await zipPackage(entries, {
      limitBytes: MAX_DIRECT_UPLOAD_BYTES,
      ...(progress === undefined ? {} : { onProgress: (done: number, all: number) => progress.update(done, all) }),
    });
  } catch (e) {
    if (!(e instanceof PackageTooLarge)) throw e;
    throw new CliError(
      `nimbus deploy: the zipped package of ${dir} is larger than 50 MB (${MAX_DIRECT_UPLOAD_BYTES} bytes), ` +
        'the limit for a direct upload. Trim the directory (dev dependencies, caches) or use a layer.',
    );
  } finally {
    progress?.finish();
  }
}

/** Polls until the function has left Pending / InProgress; fails when the update or creation failed. */
async function settle(remote: Remote, name: string): Promise<FunctionConfiguration> {
  const { sdk, client } = await remote.lambda();
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const config = await client.send(new sdk.GetFunctionConfigurationCommand({ FunctionName: name }));
    if (config.State === 'Failed') throw new CliError(`nimbus deploy: ${name} failed: ${config.StateReason ?? config.StateReasonCode ?? 'unknown reason'}`);
    if (config.LastUpdateStatus === 'Failed') throw new CliError(`nimbus deploy: update of ${name} failed: ${config.LastUpdateStatusReason ?? 'unknown reason'}`);
    if (config.State !== 'Pending' && config.LastUpdateStatus !== 'InProgress') return config;
    if (Date.now() > deadline) throw new CliError(`nimbus deploy: ${name} is still ${config.State ?? 'Pending'} after ${SETTLE_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

interface Settings {
  // Any string: the server, not the CLI, decides which runtimes exist.
  readonly runtime?: Runtime;
  readonly handler?: string;
  readonly memory?: number;
  readonly timeout?: number;
  readonly env?: Record<string, string>;
  readonly role?: string;
}

function settingsOf(args: ParsedArgs): Settings {
  const env = parseEnv(args.lists['env'] ?? []);
  const pick = { runtime: stringOption(args, 'runtime'), handler: stringOption(args, 'handler'), memory: intOption(args, 'memory'), timeout: intOption(args, 'timeout'), env, role: stringOption(args, 'role') };
  return Object.fromEntries(Object.entries(pick).filter(([, v]) => v !== undefined)) as Settings;
}

export async function deploy(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const args = parseArgs(argv, { values: ['name', 'runtime', 'handler', 'memory', 'timeout', 'role', ...REMOTE_OPTIONS], flags: [], repeatable: ['env'] });
  const [dir = ''] = requirePositionals(args, ['dir']);
  const name = stringOption(args, 'name');
  if (name === undefined) throw new UsageError('--name is required');
  const settings = settingsOf(args);
  const remote = connect(args);
  try {
    const zip = await buildPackage(dir, err);
    if (zip.length > PROGRESS_THRESHOLD_BYTES) err.write(`uploading ${formatBytes(zip.length)} to ${remote.endpoint}\n`);
    const { sdk, client } = await remote.lambda();
    let action = 'created';
    try {
      await client.send(new sdk.CreateFunctionCommand({
        FunctionName: name,
        Runtime: settings.runtime ?? 'nodejs20.x',
        Handler: settings.handler ?? 'index.handler',
        Role: settings.role ?? DEFAULT_ROLE,
        Code: { ZipFile: zip },
        ...(settings.memory === undefined ? {} : { MemorySize: settings.memory }),
        ...(settings.timeout === undefined ? {} : { Timeout: settings.timeout }),
        ...(settings.env === undefined ? {} : { Environment: { Variables: settings.env } }),
      }));
    } catch (e) {
      if (!(e instanceof sdk.ResourceConflictException)) throw e;
      // It exists: 1. new code, 2. wait for that update, 3. the configuration options given, if any.
      action = 'updated';
      await client.send(new sdk.UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: zip }));
      await settle(remote, name);
      if (Object.keys(settings).length > 0) {
        await client.send(new sdk.UpdateFunctionConfigurationCommand({
          FunctionName: name,
          ...(settings.runtime === undefined ? {} : { Runtime: settings.runtime }),
          ...(settings.handler === undefined ? {} : { Handler: settings.handler }),
          ...(settings.role === undefined ? {} : { Role: settings.role }),
          ...(settings.memory === undefined ? {} : { MemorySize: settings.memory }),
          ...(settings.timeout === undefined ? {} : { Timeout: settings.timeout }),
          // Like the AWS API, this replaces the whole variable set.
          ...(settings.env === undefined ? {} : { Environment: { Variables: settings.env } }),
        }));
      }
    }
    const config = await settle(remote, name);
    out.write(`${action} ${name}: CodeSha256 ${config.CodeSha256 ?? '-'}, ${formatBytes(config.CodeSize ?? zip.length)}, state ${config.State ?? '-'}\n`);
  } catch (e) {
    remote.fail(e);
  } finally {
    remote.close();
  }
}
