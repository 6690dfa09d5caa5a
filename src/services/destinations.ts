// Async invocation destinations: one small interface (DestinationTarget) per kind of target, chosen by the
// service in the destination ARN. Lambda functions are supported now: the invocation record is queued as an
// async event for the destination function, as AWS invokes Lambda destinations asynchronously. Queues,
// topics and event buses plug in here when those services exist; until then their ARNs are refused.
import { type InvocationRecord, invalidParameter } from '../model/index.js';
import { parseFunctionArn } from '../shared/arn.js';
import type { RequestContext } from './context.js';

export interface DestinationTarget {
  /** The ARN service this target handles (`lambda`, later `sqs`, `sns`, `events`, `s3`). */
  readonly service: string;
  /** Throws AWS's error when `arn` cannot be a destination of `sourceArn` (unqualified). */
  validate(ctx: RequestContext, arn: string, sourceArn: string): void;
  /** Delivers the record; throwing means it was not delivered (the caller logs it). */
  deliver(ctx: RequestContext, arn: string, record: InvocationRecord): void;
}

/** Services AWS accepts as destinations that Nimbus does not have yet. */
const NOT_YET = new Set(['sqs', 'sns', 'events', 's3']);

export class Destinations {
  private readonly targets = new Map<string, DestinationTarget>();

  constructor(targets: readonly DestinationTarget[]) {
    for (const t of targets) this.targets.set(t.service, t);
  }

  /** `describe` is AWS's rendering of the whole DestinationConfig, used in its "is invalid" message. */
  validate(ctx: RequestContext, arn: string, sourceArn: string, describe: () => string): void {
    const service = arn.split(':')[2] ?? '';
    const target = this.targets.get(service);
    if (target !== undefined) return target.validate(ctx, arn, sourceArn);
    if (NOT_YET.has(service)) throw invalidParameter(`Nimbus does not support ${service} destinations yet (only Lambda functions): ${arn}`);
    throw invalidParameter(`The provided destination config ${describe()} is invalid.`);
  }

  deliver(ctx: RequestContext, arn: string, record: InvocationRecord): void {
    const target = this.targets.get(arn.split(':')[2] ?? '');
    if (target === undefined) throw new Error(`no destination target for ${arn}`);
    target.deliver(ctx, arn, record);
  }
}

/** Lambda function destinations: the record becomes an async event of the destination function. */
export class LambdaDestination implements DestinationTarget {
  readonly service = 'lambda';

  constructor(
    private readonly exists: (ctx: RequestContext, name: string, qualifier: string | undefined) => boolean,
    private readonly enqueue: (ctx: RequestContext, target: { functionName: string; qualifier: string }, payload: Buffer) => void,
  ) {}

  validate(ctx: RequestContext, arn: string, sourceArn: string): void {
    const ref = parseFunctionArn(arn);
    const invalid = () => invalidParameter(`The destination ARN ${arn} is invalid.`);
    if (ref === null || ref.region !== ctx.region || ref.accountId !== ctx.accountId) throw invalid();
    if (`${arn}:`.startsWith(`${sourceArn}:`)) throw invalidParameter('You can\'t specify the function as a destination for itself.');
    if (!this.exists(ctx, ref.name, ref.qualifier)) throw invalid();
  }

  deliver(ctx: RequestContext, arn: string, record: InvocationRecord): void {
    const ref = parseFunctionArn(arn);
    if (ref === null) throw new Error(`not a function ARN: ${arn}`);
    this.enqueue(ctx, { functionName: ref.name, qualifier: ref.qualifier ?? '$LATEST' }, Buffer.from(JSON.stringify(record)));
  }
}
