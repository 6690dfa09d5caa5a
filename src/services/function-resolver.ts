// Turns a FunctionName parameter (+ Qualifier) into the stored function it names, raising exactly the errors
// AWS raises: validation, wrong region, qualifier mismatch, not found.
import { type AliasRecord, type FunctionRecord, functionNotFound, LATEST, messages, parseReadIdentifier, resourceNotFound } from '../model/index.js';
import { functionArn, type FunctionRef } from '../shared/arn.js';
import type { FunctionRepository } from '../store/index.js';
import type { RequestContext } from './context.js';

export interface Resolved {
  /** The function itself ($LATEST): name, tags, function-level settings. */
  readonly record: FunctionRecord;
  /** The configuration the qualifier names: a published version, the alias's version, or $LATEST. */
  readonly config: FunctionRecord;
  readonly ref: FunctionRef;
  /** The version the qualifier names ($LATEST when none was given; an alias's FunctionVersion). */
  readonly version: string;
  readonly alias?: AliasRecord;
}

export const isVersionNumber = (qualifier: string): boolean => /^\d+$/.test(qualifier);

export class FunctionResolver {
  constructor(private readonly repo: FunctionRepository) {}

  /** Parses and checks scope; `arnQualifierForNotFound` appends `:$LATEST` to not-found ARNs as Invoke does. */
  ref(ctx: RequestContext, functionName: string, qualifier: string | undefined): FunctionRef {
    const ref = parseReadIdentifier(functionName, qualifier);
    if (ref.region !== undefined && ref.region !== ctx.region) throw resourceNotFound(messages.wrongRegion(ref.region, ctx.region));
    return ref;
  }

  /** The function (`$LATEST`) a parsed name refers to in the caller's account and region; another account's is none. */
  functionOf(ctx: RequestContext, ref: FunctionRef): FunctionRecord | undefined {
    if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) return undefined;
    return this.repo.get({ accountId: ctx.accountId, region: ctx.region, name: ref.name });
  }

  resolve(ctx: RequestContext, functionName: string, qualifier: string | undefined, opts: { latestInNotFound?: boolean } = {}): Resolved {
    const ref = this.ref(ctx, functionName, qualifier);
    const notFoundQualifier = ref.qualifier ?? (opts.latestInNotFound ? LATEST : undefined);
    const notFound = () => functionNotFound(functionArn(ctx.region, ctx.accountId, ref.name, notFoundQualifier));
    const record = this.functionOf(ctx, ref);
    if (record === undefined) throw notFound();
    const q = ref.qualifier;
    if (q === undefined || q === LATEST) return { record, config: record, ref, version: LATEST };
    if (isVersionNumber(q)) {
      const version = this.repo.getVersion(record, q);
      if (version === undefined) throw notFound();
      return { record, config: version, ref, version: version.version };
    }
    const alias = this.repo.getAlias(record, q);
    if (alias === undefined) throw notFound();
    const target = this.versionOf(record, alias.functionVersion);
    if (target === undefined) throw notFound();
    return { record, config: target, ref, version: alias.functionVersion, alias };
  }

  /** $LATEST or a published version of `record`'s function. */
  versionOf(record: FunctionRecord, version: string): FunctionRecord | undefined {
    return version === LATEST ? record : this.repo.getVersion(record, version);
  }
}
