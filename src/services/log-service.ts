// Reading function logs: the CloudWatch Logs-shaped queries behind `aws logs` and `nimbus logs`.
import { PARTITION } from '../shared/arn.js';
import type { FunctionLogStore, LogStreamInfo, StoredLogEvent } from '../observe/index.js';
import type { RequestContext } from './context.js';

export interface FilterInput {
  readonly logGroup: string;
  readonly logStreams?: readonly string[];
  readonly startTime?: number;
  readonly endTime?: number;
  readonly contains?: string;
  readonly afterId?: number;
  readonly limit: number;
}

export class LogService {
  constructor(private readonly store: FunctionLogStore) {}

  filter(ctx: RequestContext, input: FilterInput): StoredLogEvent[] {
    return this.store.query({ region: ctx.region, ...input });
  }

  hasGroup(ctx: RequestContext, logGroup: string): boolean {
    return this.store.hasGroup(ctx.region, logGroup);
  }

  streams(ctx: RequestContext, logGroup: string): LogStreamInfo[] {
    return this.store.streams(ctx.region, logGroup);
  }

  groups(ctx: RequestContext, prefix: string): Array<{ logGroup: string; firstIngestion: number; storedBytes: number; arn: string }> {
    return this.store.groups(ctx.region, prefix).map((g) => ({
      ...g,
      arn: `arn:${PARTITION}:logs:${ctx.region}:${ctx.accountId}:log-group:${g.logGroup}:*`,
    }));
  }
}
