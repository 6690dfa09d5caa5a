// Concurrency as on Lambda: PutFunctionConcurrency / GetFunctionConcurrency / DeleteFunctionConcurrency, and the
// admission of every invocation against the function's reserved concurrency or the account's unreserved pool.
// Over a limit the caller gets 429 TooManyRequestsException with AWS's Reason; nothing waits.
import {
  constraint, type FunctionRecord, functionNotFound, invalidParameter, LATEST, messages, rules, tooManyRequests, unreservedBelowMinimum, validationError,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import type { FunctionRepository } from '../store/index.js';
import type { RequestContext } from './context.js';
import { FunctionResolver } from './function-resolver.js';

export interface ConcurrencyLimits {
  /** The account's concurrency limit per region (AWS default 1,000). */
  readonly accountLimit: number;
  /** What reserved concurrency may not take from the account (AWS: 100). */
  readonly minUnreserved: number;
}

/** Releases an admitted invocation's slot; call exactly once. */
export type Release = () => void;

export class ConcurrencyService {
  private readonly resolver: FunctionResolver;
  /** In-flight invocations per function (`account/region/name`) with reserved concurrency. */
  private readonly reservedInFlight = new Map<string, number>();
  /** In-flight invocations of the unreserved pool per `account/region`. */
  private readonly unreservedInFlight = new Map<string, number>();

  constructor(private readonly repo: FunctionRepository, readonly limits: ConcurrencyLimits) {
    this.resolver = new FunctionResolver(repo);
  }

  put(ctx: RequestContext, functionName: string, reserved: number | undefined): number {
    const record = this.unqualified(ctx, functionName, LATEST);
    if (reserved === undefined) throw validationError(["Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null"]);
    if (reserved < 0) throw validationError([constraint(String(reserved), 'reservedConcurrentExecutions', rules.min(0))]);
    const othersReserved = this.repo.reservedConcurrency(ctx.accountId, ctx.region) - (record.reservedConcurrency ?? 0);
    if (this.limits.accountLimit - othersReserved - reserved < this.limits.minUnreserved) {
      throw unreservedBelowMinimum(this.limits.minUnreserved);
    }
    this.replace(record, { ...record, reservedConcurrency: reserved });
    return reserved;
  }

  get(ctx: RequestContext, functionName: string): number | undefined {
    return this.unqualified(ctx, functionName, undefined).reservedConcurrency;
  }

  delete(ctx: RequestContext, functionName: string): void {
    const record = this.unqualified(ctx, functionName, undefined);
    const { reservedConcurrency: _removed, ...rest } = record;
    this.replace(record, rest);
  }

  /** The account's concurrency not reserved by any function (GetAccountSettings). */
  unreserved(accountId: string, region: string): number {
    return this.limits.accountLimit - this.repo.reservedConcurrency(accountId, region);
  }

  /**
   * Admits one invocation of `record`'s function or throws AWS's 429. A function with reserved concurrency
   * counts against that alone; the others share what is left of the account's limit.
   */
  admit(record: FunctionRecord): Release {
    const reserved = record.reservedConcurrency;
    if (reserved !== undefined) {
      const key = `${record.accountId}/${record.region}/${record.name}`;
      const n = this.reservedInFlight.get(key) ?? 0;
      if (n >= reserved) throw tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded');
      this.reservedInFlight.set(key, n + 1);
      return once(() => decrement(this.reservedInFlight, key));
    }
    const pool = `${record.accountId}/${record.region}`;
    const n = this.unreservedInFlight.get(pool) ?? 0;
    // The unreserved pool is never smaller than minUnreserved, so the store is asked only under real load.
    if (n >= this.limits.minUnreserved && n >= this.unreserved(record.accountId, record.region)) {
      throw tooManyRequests('ConcurrentInvocationLimitExceeded');
    }
    this.unreservedInFlight.set(pool, n + 1);
    return once(() => decrement(this.unreservedInFlight, pool));
  }

  /** Reserved concurrency applies to the function: a qualifier (or qualified ARN) is refused. */
  private unqualified(ctx: RequestContext, functionName: string, notFoundQualifier: string | undefined): FunctionRecord {
    const ref = this.resolver.ref(ctx, functionName, undefined);
    if (ref.qualifier !== undefined) throw invalidParameter(messages.qualifiedConcurrency);
    const record = this.resolver.functionOf(ctx, ref);
    if (record === undefined) throw functionNotFound(functionArn(ctx.region, ctx.accountId, ref.name, notFoundQualifier));
    return record;
  }

  /** Concurrency is not part of the function's configuration: the RevisionId stays. Retried on a racing write. */
  private replace(current: FunctionRecord, next: FunctionRecord): void {
    if (this.repo.replace(next, current.revisionId)) return;
    const fresh = this.repo.get(current);
    if (fresh === undefined) throw functionNotFound(functionArn(current.region, current.accountId, current.name));
    const { reservedConcurrency: _old, ...rest } = fresh;
    this.replace(fresh, next.reservedConcurrency === undefined ? rest : { ...fresh, reservedConcurrency: next.reservedConcurrency });
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

function once(fn: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
