// `nimbus logs <function>`: prints the function's log events (group `/aws/lambda/<name>`) through the server's
// CloudWatch Logs endpoint; with --follow keeps polling until SIGINT/SIGTERM. It reads logs only, never writes.
import { type ParsedArgs, flagOption, parseArgs, requirePositionals, stringOption, UsageError } from '../args.js';
import { filterLogEvents, type LogEvent } from '../logs-client.js';
import { AwsResponseError, connect, REMOTE_OPTIONS, REMOTE_USAGE } from '../remote.js';

export const logsUsage = `nimbus logs <function> [--follow] [--since 10m|1h|2d|ISO-8601] ${REMOTE_USAGE}`;

const POLL_MS = 500;
/**
 * Each poll re-reads from a little before the newest timestamp printed and skips event ids already printed:
 * an event stamped earlier can be stored after a later one (two environments writing at once), and FilterLogEvents
 * has no "after this event" cursor across calls.
 */
const OVERLAP_MS = 2000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since 10m` → now − 10 minutes; an ISO-8601 date or time → that instant; absent → everything stored. */
export function parseSince(args: ParsedArgs, now: number): number | undefined {
  const raw = stringOption(args, 'since');
  if (raw === undefined) return undefined;
  const rel = /^(\d+)([smhdw])$/.exec(raw);
  if (rel?.[1] !== undefined && rel[2] !== undefined) return now - Number(rel[1]) * (UNITS[rel[2]] ?? 0);
  const abs = Date.parse(raw);
  if (Number.isNaN(abs)) throw new UsageError(`--since takes a duration like 10m, 1h, 2d or an ISO-8601 time, got '${raw}'`);
  return abs;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function write(out: NodeJS.WritableStream, event: LogEvent): void {
  out.write(event.message.endsWith('\n') ? event.message : `${event.message}\n`);
}

export async function logs(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const args = parseArgs(argv, { values: ['since', ...REMOTE_OPTIONS], flags: ['follow'] });
  const [name = ''] = requirePositionals(args, ['function']);
  const follow = flagOption(args, 'follow');
  const since = parseSince(args, Date.now());
  const remote = connect(args);
  const logGroupName = name.startsWith('/aws/lambda/') ? name : `/aws/lambda/${name}`;

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  if (follow) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  const printed = new Map<string, number>(); // eventId → timestamp, for the overlap window only
  let newest = since ?? 0;
  let saidEmpty = false;
  try {
    while (!stop.signal.aborted) {
      const startTime = printed.size === 0 ? since : Math.max(newest - OVERLAP_MS, since ?? 0);
      let events: LogEvent[] = [];
      try {
        events = await filterLogEvents(remote, { logGroupName, ...(startTime === undefined ? {} : { startTime }) }, stop.signal);
      } catch (e) {
        if (!(e instanceof AwsResponseError && e.name === 'ResourceNotFoundException')) throw e;
        if (!saidEmpty) err.write(`no logs yet for ${name}\n`);
        saidEmpty = true;
      }
      for (const event of events) {
        if (printed.has(event.eventId)) continue;
        write(out, event);
        printed.set(event.eventId, event.timestamp);
        newest = Math.max(newest, event.timestamp);
      }
      if (!follow) return;
      for (const [id, ts] of printed) if (ts < newest - OVERLAP_MS) printed.delete(id);
      await sleep(POLL_MS, stop.signal);
    }
  } catch (e) {
    if (stop.signal.aborted) return; // SIGINT while a request was in flight: a clean stop
    remote.fail(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    remote.close();
  }
}
