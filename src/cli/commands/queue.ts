// `nimbus queue`: the async event queue of a running server (from GET /_nimbus/health): events waiting, waiting
// for a retry, being delivered, dropped (by reason), and accepted/delivered since the server started.
import { parseArgs, requirePositionals } from '../args.js';
import { formatTable } from '../format.js';
import { connect, REMOTE_OPTIONS, REMOTE_USAGE } from '../remote.js';

export const queueUsage = `nimbus queue ${REMOTE_USAGE}`;

interface QueueStats {
  queued: number;
  retrying: number;
  inFlight: number;
  dropped: number;
  received: number;
  delivered: number;
  droppedReasons: Record<string, number>;
  oldestEventAgeSec: number;
}

export function queueTable(q: QueueStats): string {
  const rows: string[][] = [
    ['queued', String(q.queued), `waiting for their first delivery; oldest pending event ${q.oldestEventAgeSec} s old`],
    ['retrying', String(q.retrying), 'waiting for a retry (function error, throttle or platform error)'],
    ['in flight', String(q.inFlight), 'being delivered now'],
    ['dropped', String(q.dropped), Object.entries(q.droppedReasons).map(([reason, n]) => `${reason} ${n}`).join(', ') || '-'],
    ['received', String(q.received), 'accepted since the server started'],
    ['delivered', String(q.delivered), 'succeeded since the server started'],
  ];
  return formatTable(['EVENTS', 'COUNT', ''], rows);
}

export async function queue(argv: readonly string[], out: NodeJS.WritableStream): Promise<void> {
  const args = parseArgs(argv, { values: [...REMOTE_OPTIONS], flags: [] });
  requirePositionals(args, []);
  const remote = connect(args);
  try {
    const res = await fetch(`${remote.endpoint}/_nimbus/health`);
    const health = (await res.json()) as { async?: QueueStats };
    if (health.async === undefined) throw new Error(`${remote.endpoint} reports no async queue (an older Nimbus?)`);
    out.write(`${queueTable(health.async)}\n`);
  } catch (e) {
    remote.fail(e);
  }
}
