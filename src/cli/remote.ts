// How remote commands reach a Nimbus server: endpoint and region resolution, the lazily loaded Lambda SDK client,
// and turning transport and AWS failures into the CLI's user-facing messages. It never imports server modules:
// the CLI is an HTTP client like the AWS CLI, which stays the reference client.
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { type ParsedArgs, stringOption, UsageError } from './args.js';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';
export const DEFAULT_ROLE = 'arn:aws:iam::000000000000:role/nimbus';
/** Options every remote command accepts. */
export const REMOTE_OPTIONS = ['endpoint', 'region'] as const;
export const REMOTE_USAGE = '[--endpoint URL] [--region R]';

/** An error whose message is printed as is (no `nimbus <command>:` prefix), with its exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The server could not be reached at all; every further call would fail the same way. */
export class ServerUnreachable extends CliError {}

export type LambdaSdk = typeof import('@aws-sdk/client-lambda');

export interface Remote {
  readonly endpoint: string;
  readonly region: string;
  /** Loads the SDK on first use, so `nimbus serve` and `--help` never pay for it. */
  lambda(): Promise<{ sdk: LambdaSdk; client: LambdaClient }>;
  /** Maps a failure from talking to the server to a CliError (unreachable server, AWS error); rethrows others. */
  fail(err: unknown): never;
  close(): void;
}

export function resolveEndpoint(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  const raw = stringOption(args, 'endpoint') ?? (env['NIMBUS_ENDPOINT'] || undefined) ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint must be a URL like ${DEFAULT_ENDPOINT}, got '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--endpoint must be http(s), got '${raw}'`);
  return raw.replace(/\/+$/, '');
}

export function connect(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): Remote {
  const endpoint = resolveEndpoint(args, env);
  const region = stringOption(args, 'region') ?? (env['AWS_REGION'] || undefined) ?? 'us-east-1';
  let loaded: { sdk: LambdaSdk; client: LambdaClient } | undefined;
  return {
    endpoint,
    region,
    async lambda() {
      if (loaded === undefined) {
        // The SDK warns on Node < 22 about its own future releases: noise for a CLI user (Nimbus supports Node 20)
        // that would land in the middle of `nimbus invoke`'s log tail on stderr. An explicit setting wins.
        process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
        const sdk = await import('@aws-sdk/client-lambda');
        const client = new sdk.LambdaClient({
          endpoint,
          region,
          credentials: { accessKeyId: 'nimbus', secretAccessKey: 'nimbus' },
          maxAttempts: 1,
        });
        loaded = { sdk, client };
      }
      return loaded;
    },
    fail(err: unknown): never {
      if (err instanceof CliError || err instanceof UsageError) throw err;
      if (isUnreachable(err)) throw new ServerUnreachable(unreachableMessage(endpoint));
      const aws = awsErrorOf(err);
      if (aws !== undefined) throw new CliError(`${aws.name}: ${aws.message}`);
      throw err;
    },
    close() {
      loaded?.client.destroy();
    },
  };
}

export function unreachableMessage(endpoint: string): string {
  return `nimbus: cannot reach the Nimbus server at ${endpoint} — start it with \`npm start\` or \`nimbus serve\``;
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET',
]);

/** True for connection-level failures anywhere in the cause chain (the SDK's, or fetch's `TypeError: fetch failed`). */
export function isUnreachable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return true;
  // Node's happy-eyeballs connect reports every failed address in an AggregateError.
  if (Array.isArray(e.errors) && e.errors.some((x) => isUnreachable(x, depth + 1))) return true;
  return isUnreachable(e.cause, depth + 1);
}

/** An AWS service error thrown by the SDK (it carries `$metadata` and `$fault`), as its name and message. */
export function awsErrorOf(err: unknown): { name: string; message: string } | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { $fault?: unknown; $metadata?: { httpStatusCode?: number } };
  if (e.$fault === undefined && e.$metadata?.httpStatusCode === undefined) return undefined;
  return { name: e.name, message: e.message };
}

/** An AWS error returned by a hand-made JSON call (see logs-client.ts). */
export class AwsResponseError extends Error {
  readonly $fault = 'client';
  constructor(name: string, message: string, readonly status: number) {
    super(message);
    this.name = name;
  }
}
