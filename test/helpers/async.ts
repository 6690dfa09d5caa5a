// Helpers for async invocation tests: a server whose retry delays are scaled down, functions that record
// what they receive in their logs, and reading those logs back through the FilterLogEvents API.
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { deployFixture } from './functions.js';
import { startTestServer, type TestServer } from './server.js';
import { makeZip } from './zip.js';

/** Retry delays 1000× shorter (60 ms / 120 ms), due retries found within 20 ms. */
export function startAsyncTestServer(dataDir?: string): Promise<TestServer> {
  return startTestServer({ async: { retryDelayScale: 0.001, pollIntervalMs: 20 } }, dataDir);
}

/** Logs `SEEN <request id> <event JSON>` for every invocation; throws when the event says `fail`; holds `sleepMs`. */
export const RECORDER = `exports.handler = async (event, context) => {
  console.log('SEEN ' + context.awsRequestId + ' ' + JSON.stringify(event));
  if (event && event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event && event.fail) throw new Error('asked to fail');
  return { echoed: event };
};`;

export async function deployRecorder(lambda: LambdaClient, name: string): Promise<void> {
  await deployFixture(lambda, 'echo', name, { Code: { ZipFile: await makeZip({ 'index.js': RECORDER }) } });
}

/** Every `SEEN` line of the function's log group, oldest first, as [request id, event]. */
export async function seen(url: string, functionName: string): Promise<Array<{ requestId: string; event: unknown }>> {
  const out: Array<{ requestId: string; event: unknown }> = [];
  let nextToken: string | undefined;
  do {
    const res = await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Logs_20140328.FilterLogEvents' },
      body: JSON.stringify({ logGroupName: `/aws/lambda/${functionName}`, filterPattern: 'SEEN', ...(nextToken === undefined ? {} : { nextToken }) }),
    });
    if (res.status === 400) return out; // the log group does not exist yet
    const body = (await res.json()) as { events: Array<{ message: string }>; nextToken?: string };
    for (const e of body.events) {
      const m = /SEEN (\S+) (.*)$/.exec(e.message.trim());
      if (m?.[1] !== undefined && m[2] !== undefined) out.push({ requestId: m[1], event: parseOrTruncated(m[2]) });
    }
    nextToken = body.nextToken;
  } while (nextToken !== undefined);
  return out;
}

/** Lambda cuts long log lines (256 KB), so a big event's line is not JSON any more. */
function parseOrTruncated(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'truncated';
  }
}

/** Polls `check` (async) until it holds or `ms` pass. */
export async function eventuallyAsync(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export async function invokeEvent(lambda: LambdaClient, functionName: string, event: unknown, qualifier?: string): Promise<{ status: number | undefined; requestId: string | undefined }> {
  const out = await lambda.send(new InvokeCommand({
    FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)), ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
  }));
  return { status: out.StatusCode, requestId: out.$metadata.requestId };
}
