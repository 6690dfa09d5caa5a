// Runs Debian's AWS CLI v2 (/usr/bin/aws, 2.9.19) against a Nimbus server with --endpoint-url, as a user would:
// throw-away credentials, no user configuration, no retries (a failing call must show up as a failure).
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';

export const AWS = '/usr/bin/aws';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface AwsCli {
  /** `aws <args> --endpoint-url <nimbus> --output json`; resolves with the exit code, whatever it is. */
  aws(...args: string[]): Promise<CliResult>;
  /** Runs a call that must succeed and parses its JSON output. */
  awsJson(...args: string[]): Promise<Record<string, unknown>>;
}

/** `home` is a scratch directory for the CLI's HOME (it writes its cache there). */
export function awsCli(endpoint: () => string, home: () => string, region = 'us-east-1'): AwsCli {
  const aws = (...args: string[]): Promise<CliResult> => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home(),
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
      AWS_DEFAULT_REGION: region,
      AWS_PAGER: '',
      AWS_CONFIG_FILE: path.join(home(), 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home(), 'no-credentials'),
      AWS_MAX_ATTEMPTS: '1',
      AWS_RETRY_MODE: 'standard',
    };
    return new Promise((resolve, reject) => {
      execFile(AWS, [...args, '--endpoint-url', endpoint(), '--output', 'json'], { env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (err !== null && typeof err.code !== 'number') return reject(err);
        resolve({ code: err === null ? 0 : (err.code as number), stdout, stderr });
      });
    });
  };
  const awsJson = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await aws(...args);
    assert.equal(r.code, 0, `aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
  };
  return { aws, awsJson };
}
