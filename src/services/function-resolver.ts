// Turns a FunctionName parameter (+ Qualifier) into the stored function it names, raising exactly the errors
// AWS raises: validation, wrong region, qualifier mismatch, not found.
import { type FunctionRecord, functionNotFound, LATEST, messages, parseReadIdentifier, resourceNotFound } from '../model/index.js';
import { functionArn, type FunctionRef } from '../shared/arn.js';
import type { FunctionRepository } from '../store/index.js';
import type { RequestContext } from './context.js';

export interface Resolved {
  readonly record: FunctionRecord;
  readonly ref: FunctionRef;
  /** The version the qualifier names ($LATEST when none was given). */
  readonly version: string;
}

export class FunctionResolver {
  constructor(private readonly repo: FunctionRepository) {}

  /** Parses and checks scope; `arnQualifierForNotFound` appends `:$LATEST` to not-found ARNs as Invoke does. */
  ref(ctx: RequestContext, functionName: string, qualifier: string | undefined): FunctionRef {
    const ref = parseReadIdentifier(functionName, qualifier);
    if (ref.region !== undefined && ref.region !== ctx.region) throw resourceNotFound(messages.wrongRegion(ref.region, ctx.region));
    return ref;
  }

  resolve(ctx: RequestContext, functionName: string, qualifier: string | undefined, opts: { latestInNotFound?: boolean } = {}): Resolved {
    const ref = this.ref(ctx, functionName, qualifier);
    const notFoundQualifier = ref.qualifier ?? (opts.latestInNotFound ? LATEST : undefined);
    const notFound = () => functionNotFound(functionArn(ctx.region, ctx.accountId, ref.name, notFoundQualifier));
    if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) throw notFound();
    const record = this.repo.get({ accountId: ctx.accountId, region: ctx.region, name: ref.name });
    if (record === undefined) throw notFound();
    // Published versions and aliases arrive with the versions issue (#6); until then only $LATEST exists.
    if (ref.qualifier !== undefined && ref.qualifier !== LATEST) throw notFound();
    return { record, ref, version: LATEST };
  }
}
