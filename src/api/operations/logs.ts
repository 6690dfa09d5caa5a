// A CloudWatch Logs (awsJson1_1, X-Amz-Target `Logs_20140328.*`) subset over function logs, so `aws logs tail`,
// `aws logs filter-log-events`, SDK clients and `nimbus logs` read them: FilterLogEvents, GetLogEvents,
// DescribeLogGroups, DescribeLogStreams.
import type { LogService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendJson } from '../http.js';
import type { ApiCall } from '../router.js';

const TARGET_PREFIX = 'Logs_20140328.';
const DEFAULT_LIMIT = 10000;

function logsError(type: string, message: string, status = 400): AwsError {
  return new AwsError(type, message, { status, faultType: null });
}

function sendLogsJson(call: ApiCall, body: unknown): void {
  sendJson(call.res, 200, body, { 'Content-Type': 'application/x-amz-json-1.1' });
}

function token(id: number): string {
  return Buffer.from(`nimbus:${id}`).toString('base64url');
}

function fromToken(t: unknown): number | undefined {
  if (typeof t !== 'string' || t === '') return undefined;
  const m = /^nimbus:(\d+)$/.exec(Buffer.from(t.replace(/^[fb]\//, ''), 'base64url').toString('utf8'));
  if (m?.[1] === undefined) throw logsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return Number(m[1]);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function parseLogsBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw logsError('SerializationException', 'The request body is not a JSON object.');
}

export function isLogsRequest(call: ApiCall): boolean {
  const target = call.req.headers['x-amz-target'];
  return call.req.method === 'POST' && typeof target === 'string' && target.startsWith(TARGET_PREFIX);
}

export async function handleLogsRequest(call: ApiCall, logs: LogService): Promise<void> {
  const op = String(call.req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  const input = parseLogsBody(await readBody(call.req, 1024 * 1024, op));
  const group = typeof input['logGroupName'] === 'string' ? input['logGroupName'] : undefined;
  const requireGroup = (): string => {
    if (group === undefined || !logs.hasGroup(call.ctx, group)) throw logsError('ResourceNotFoundException', 'The specified log group does not exist.');
    return group;
  };
  const limit = num(input['limit']) ?? DEFAULT_LIMIT;
  if (limit < 1 || limit > DEFAULT_LIMIT) {
    throw logsError('InvalidParameterException', `1 validation error detected: Value '${limit}' at 'limit' failed to satisfy constraint: Member must have value ${limit < 1 ? 'greater than or equal to 1' : `less than or equal to ${DEFAULT_LIMIT}`}`);
  }

  switch (op) {
    case 'FilterLogEvents': {
      const streams = input['logStreamNames'];
      const pattern = typeof input['filterPattern'] === 'string' ? input['filterPattern'].replace(/^"(.*)"$/, '$1') : undefined;
      const afterId = fromToken(input['nextToken']);
      const startTime = num(input['startTime']);
      const endTime = num(input['endTime']);
      const events = logs.filter(call.ctx, {
        logGroup: requireGroup(), limit,
        ...(Array.isArray(streams) ? { logStreams: streams.map(String) } : {}),
        ...(startTime === undefined ? {} : { startTime }),
        ...(endTime === undefined ? {} : { endTime }),
        ...(pattern ? { contains: pattern } : {}),
        ...(afterId === undefined ? {} : { afterId }),
      });
      const last = events[events.length - 1];
      return sendLogsJson(call, {
        events: events.map((e) => ({ logStreamName: e.logStream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: String(e.id) })),
        searchedLogStreams: [],
        ...(events.length === limit && last !== undefined ? { nextToken: token(last.id) } : {}),
      });
    }
    case 'GetLogEvents': {
      const stream = typeof input['logStreamName'] === 'string' ? input['logStreamName'] : '';
      const afterId = fromToken(input['nextToken']);
      const events = logs.filter(call.ctx, { logGroup: requireGroup(), logStreams: [stream], limit, ...(afterId === undefined ? {} : { afterId }) });
      const lastId = events[events.length - 1]?.id ?? afterId ?? 0;
      return sendLogsJson(call, {
        events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
        nextForwardToken: `f/${token(lastId)}`,
        nextBackwardToken: `b/${token(0)}`,
      });
    }
    case 'DescribeLogGroups': {
      const prefix = typeof input['logGroupNamePrefix'] === 'string' ? input['logGroupNamePrefix'] : '';
      return sendLogsJson(call, {
        logGroups: logs.groups(call.ctx, prefix).map((g) => ({ logGroupName: g.logGroup, creationTime: g.firstIngestion, storedBytes: g.storedBytes, arn: g.arn, metricFilterCount: 0 })),
      });
    }
    case 'DescribeLogStreams': {
      return sendLogsJson(call, {
        logStreams: logs.streams(call.ctx, requireGroup()).map((s) => ({
          logStreamName: s.logStream, creationTime: s.firstEventTimestamp, firstEventTimestamp: s.firstEventTimestamp,
          lastEventTimestamp: s.lastEventTimestamp, lastIngestionTime: s.lastIngestionTime, storedBytes: s.storedBytes,
        })),
      });
    }
    default:
      throw logsError('UnknownOperationException', `Nimbus does not implement CloudWatch Logs operation ${op}.`);
  }
}
