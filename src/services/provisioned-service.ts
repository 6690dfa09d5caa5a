// Provisioned concurrency: PutProvisionedConcurrencyConfig / Get… / Delete… / ListProvisionedConcurrencyConfigs
// on published versions and aliases, with AWS's validation. The engine keeps that many environments of the version
// initialised ahead of invocations (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency); invocations use them
// first and spill over to on-demand ones. Status is IN_PROGRESS until all are initialised, then READY (FAILED when
// the function's init fails). Configurations are stored and provisioned again when the server starts.
import {
  constraint, type FunctionRecord, functionNotFound, invalidParameter, LATEST, messages, type ProvisionedConfigRecord, provisionedConfigNotFound,
  provisionedOverLimit, resourceConflict, resourceNotFound, rules, validationError,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import type { Clock } from '../shared/clock.js';
import type { FunctionRepository } from '../store/index.js';
import type { ConcurrencyService } from './concurrency-service.js';
import type { RequestContext } from './context.js';
import { FunctionResolver, isVersionNumber } from './function-resolver.js';
import type { InvokeService } from './invoke-service.js';

export interface ProvisionedView {
  readonly functionArn: string;
  readonly requested: number;
  readonly allocated: number;
  readonly available: number;
  readonly status: 'IN_PROGRESS' | 'READY' | 'FAILED';
  readonly statusReason?: string;
  readonly lastModified: number;
}

interface Target {
  readonly record: FunctionRecord;
  /** The version that runs: the qualifier itself, or the alias's version. */
  readonly version: string;
  readonly config: FunctionRecord;
}

export class ProvisionedConcurrencyService {
  private readonly resolver: FunctionResolver;

  constructor(
    private readonly repo: FunctionRepository,
    private readonly invoker: InvokeService,
    private readonly concurrency: ConcurrencyService,
    private readonly clock: Clock,
  ) {
    this.resolver = new FunctionResolver(repo);
  }

  async put(ctx: RequestContext, functionName: string, qualifier: string | undefined, requested: number | undefined): Promise<ProvisionedView> {
    if (requested === undefined) throw validationError(["Value null at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must not be null"]);
    if (requested < 1) throw validationError([constraint(String(requested), 'provisionedConcurrentExecutions', rules.min(1))]);
    const q = required(qualifier);
    const target = this.target(ctx, functionName, q, messages.provisionedOnLatest);
    const configs = this.repo.listProvisioned(target.record);
    if (!isVersionNumber(q) && configs.some((c) => c.qualifier === target.version)) {
      throw resourceConflict(messages.provisionedAliasOnProvisionedVersion);
    }
    if (isVersionNumber(q) && configs.some((c) => !isVersionNumber(c.qualifier) && this.repo.getAlias(target.record, c.qualifier)?.functionVersion === q)) {
      throw resourceConflict(messages.provisionedVersionUnderAlias);
    }
    const unreserved = this.concurrency.unreserved(ctx.accountId, ctx.region);
    const already = configs.find((c) => c.qualifier === q)?.requested ?? 0;
    const available = unreserved - this.provisionedTotal(ctx) + already;
    if (requested > available) throw provisionedOverLimit(messages.provisionedOverUnreserved(available));
    if (available - requested < this.concurrency.limits.minUnreserved) {
      throw provisionedOverLimit(messages.provisionedBelowMinimum(this.concurrency.limits.minUnreserved));
    }
    const config: ProvisionedConfigRecord = {
      accountId: ctx.accountId, region: ctx.region, functionName: target.record.name, qualifier: q, requested, lastModified: this.clock.now(),
    };
    this.repo.putProvisioned(config);
    const view = this.view(config, target);
    await this.invoker.provision(target.config, target.version, requested);
    // AWS answers 202 with the allocation still to come.
    return { ...view, status: 'IN_PROGRESS', allocated: 0, available: 0 };
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): ProvisionedView {
    const q = required(qualifier);
    const target = this.target(ctx, functionName, q, messages.provisionedNeedsQualifier);
    const config = this.repo.getProvisioned(target.record, q);
    if (config === undefined) throw provisionedConfigNotFound();
    return this.view(config, target);
  }

  /** Deleting a configuration that does not exist succeeds, as on AWS. */
  async delete(ctx: RequestContext, functionName: string, qualifier: string | undefined): Promise<void> {
    const q = required(qualifier);
    const target = this.target(ctx, functionName, q, messages.provisionedNeedsQualifier);
    if (this.repo.deleteProvisioned(target.record, q)) await this.invoker.provision(target.config, target.version, 0);
  }

  list(ctx: RequestContext, functionName: string): ProvisionedView[] {
    const record = this.resolver.resolve(ctx, functionName, undefined).record;
    return this.repo.listProvisioned(record).flatMap((c) => {
      const target = this.targetOf(record, c.qualifier);
      return target === undefined ? [] : [this.view(c, target)];
    });
  }

  /** An alias is being deleted: its configuration goes with it. */
  async aliasDeleted(record: FunctionRecord, alias: string, functionVersion: string): Promise<void> {
    if (!this.repo.deleteProvisioned(record, alias)) return;
    const config = this.resolver.versionOf(record, functionVersion);
    if (config !== undefined) await this.invoker.provision(config, functionVersion, 0);
  }

  /** Start-up: provision every stored configuration again. */
  async reconcile(): Promise<void> {
    for (const c of this.repo.listProvisioned(undefined)) {
      const record = this.repo.get({ accountId: c.accountId, region: c.region, name: c.functionName });
      const target = record === undefined ? undefined : this.targetOf(record, c.qualifier);
      if (target !== undefined) await this.invoker.provision(target.config, target.version, c.requested);
    }
  }

  private provisionedTotal(ctx: RequestContext): number {
    return this.repo.listProvisioned(undefined)
      .filter((c) => c.accountId === ctx.accountId && c.region === ctx.region)
      .reduce((sum, c) => sum + c.requested, 0);
  }

  private view(config: ProvisionedConfigRecord, target: Target): ProvisionedView {
    const state = this.invoker.provisionedState(target.config, target.version);
    const allocated = Math.min(state?.allocated ?? 0, config.requested);
    const available = Math.min(state?.available ?? 0, allocated);
    const failed = state?.failure !== undefined && allocated < config.requested;
    return {
      functionArn: functionArn(config.region, config.accountId, config.functionName, config.qualifier),
      requested: config.requested, allocated, available,
      status: failed ? 'FAILED' : allocated >= config.requested ? 'READY' : 'IN_PROGRESS',
      ...(failed ? { statusReason: state?.failure } : {}),
      lastModified: config.lastModified,
    };
  }

  /** Resolves a version or alias qualifier with the errors AWS gives this API ($LATEST refused with `latestMessage`). */
  private target(ctx: RequestContext, functionName: string, qualifier: string, latestMessage: string): Target {
    const ref = this.resolver.ref(ctx, functionName, undefined);
    const record = this.resolver.functionOf(ctx, ref);
    const arn = functionArn(ctx.region, ctx.accountId, ref.name, qualifier);
    if (qualifier === LATEST) {
      if (record === undefined) throw functionNotFound(arn);
      throw invalidParameter(latestMessage);
    }
    const target = record === undefined ? undefined : this.targetOf(record, qualifier);
    if (target === undefined) throw isVersionNumber(qualifier) ? functionNotFound(arn) : resourceNotFound(messages.aliasCannotFind(arn));
    return target;
  }

  private targetOf(record: FunctionRecord, qualifier: string): Target | undefined {
    const version = isVersionNumber(qualifier) ? qualifier : this.repo.getAlias(record, qualifier)?.functionVersion;
    const config = version === undefined ? undefined : this.resolver.versionOf(record, version);
    return version === undefined || config === undefined ? undefined : { record, version, config };
  }
}

function required(qualifier: string | undefined): string {
  if (qualifier === undefined || qualifier === '') {
    throw validationError(["Value null at 'qualifier' failed to satisfy constraint: Member must not be null"]);
  }
  return qualifier;
}
