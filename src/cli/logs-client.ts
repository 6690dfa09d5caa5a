// A minimal client for the server's CloudWatch-Logs-compatible endpoint (awsJson1_1, `X-Amz-Target:
// Logs_20140328.*`), enough for `nimbus logs`: FilterLogEvents with paging. The server takes the region from the
// credential scope and does not verify signatures, so the request carries a fixed, unsigned Authorization header.
import { AwsResponseError, type Remote } from './remote.js';

export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
  readonly eventId: string;
}

export interface FilterInput {
  readonly logGroupName: string;
  readonly startTime?: number;
}

interface FilterPage {
  readonly events?: LogEvent[];
  readonly nextToken?: string;
}

type Endpoint = Pick<Remote, 'endpoint' | 'region'>;

async function call(remote: Endpoint, target: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(`${remote.endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `Logs_20140328.${target}`,
      Authorization: `AWS4-HMAC-SHA256 Credential=nimbus/20260101/${remote.region}/logs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
    ...(signal === undefined ? {} : { signal }),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
  } catch {
    if (res.ok) throw new AwsResponseError('SerializationException', `the server sent a response that is not JSON (HTTP ${res.status})`, res.status);
  }
  if (res.ok) return parsed;
  // awsJson1_1 names the error in x-amzn-ErrorType or `__type`, either possibly as `namespace#Name` or `Name:url`.
  const rawType = res.headers.get('x-amzn-errortype') ?? (typeof parsed['__type'] === 'string' ? parsed['__type'] : `HTTP${res.status}`);
  const name = rawType.split(':')[0]?.split('#').pop() ?? rawType;
  const message = parsed['message'] ?? parsed['Message'] ?? res.statusText;
  throw new AwsResponseError(name, String(message), res.status);
}

/** Every event matching `input`, following nextToken through all pages. */
export async function filterLogEvents(remote: Endpoint, input: FilterInput, signal?: AbortSignal): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await call(remote, 'FilterLogEvents', { ...input, ...(nextToken === undefined ? {} : { nextToken }) }, signal)) as FilterPage;
    events.push(...(page.events ?? []));
    // Guard against a server that hands back the token it was given.
    nextToken = page.nextToken !== undefined && page.nextToken !== nextToken ? page.nextToken : undefined;
  } while (nextToken !== undefined);
  return events;
}
