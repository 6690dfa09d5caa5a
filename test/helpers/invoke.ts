// Small wrappers over the SDK's Invoke for tests: JSON in, parsed payload and decoded log tail out.
import { InvokeCommand, type InvokeCommandInput, type LambdaClient } from '@aws-sdk/client-lambda';
import { readdirSync, readFileSync } from 'node:fs';

export interface InvokeResult {
  readonly statusCode: number | undefined;
  readonly functionError: string | undefined;
  readonly executedVersion: string | undefined;
  readonly payloadText: string;
  readonly payload: unknown;
  readonly log: string;
}

export async function invoke(lambda: LambdaClient, functionName: string, event: unknown = {}, extra: Partial<InvokeCommandInput> = {}): Promise<InvokeResult> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail', ...extra }),
  );
  const payloadText = Buffer.from(out.Payload ?? new Uint8Array()).toString('utf8');
  let payload: unknown;
  try {
    payload = payloadText === '' ? undefined : JSON.parse(payloadText);
  } catch {
    payload = payloadText;
  }
  return {
    statusCode: out.StatusCode,
    functionError: out.FunctionError,
    executedVersion: out.ExecutedVersion,
    payloadText,
    payload,
    log: out.LogResult === undefined ? '' : Buffer.from(out.LogResult, 'base64').toString('utf8'),
  };
}

export interface HostProcess {
  readonly pid: number;
  /** argv joined with spaces. */
  readonly command: string;
}

/**
 * The host processes of one execution environment, found from outside. Its log stream ends with the environment's
 * id, which also names its cgroups: a process belongs when it sits in such a cgroup, or (without cgroups) when it
 * inherited AWS_LAMBDA_LOG_STREAM_NAME. (A pre-started runtime got its environment variables after it started, so
 * its /proc/<pid>/environ does not show them.) Works whether or not the runtime sits in a PID namespace (where
 * `process.pid` means nothing to the host). Needs to read other processes' /proc files, i.e. root or the same user.
 */
export function environmentProcesses(logStream: string): HostProcess[] {
  const needle = Buffer.from(`\0AWS_LAMBDA_LOG_STREAM_NAME=${logStream}\0`);
  const cgroup = new RegExp(`/${logStream.slice(logStream.lastIndexOf(']') + 1)}$`, 'm');
  const found: HostProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${name}/environ`)]);
      if (!environ.includes(needle) && !cgroup.test(readFileSync(`/proc/${name}/cgroup`, 'utf8'))) continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      found.push({ pid: Number(name), command });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` holds or `ms` pass (for process exits, which are asynchronous by nature). */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}
