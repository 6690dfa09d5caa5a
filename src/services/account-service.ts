// GetAccountSettings: AWS's default limits and this account's usage in the region.
import type { FunctionRepository } from '../store/index.js';
import { UNZIPPED_LIMIT_BYTES, ZIPPED_LIMIT_BYTES } from './code-intake.js';
import type { ConcurrencyService } from './concurrency-service.js';
import type { RequestContext } from './context.js';

export interface AccountSettings {
  readonly totalCodeSizeLimit: number;
  readonly codeSizeUnzipped: number;
  readonly codeSizeZipped: number;
  readonly concurrentExecutions: number;
  readonly unreservedConcurrentExecutions: number;
  readonly totalCodeSize: number;
  readonly functionCount: number;
}

const TOTAL_CODE_SIZE_LIMIT = 80_530_636_800;

export class AccountService {
  constructor(private readonly repo: FunctionRepository, private readonly concurrency: ConcurrencyService) {}

  settings(ctx: RequestContext): AccountSettings {
    const usage = this.repo.totals(ctx.accountId, ctx.region);
    return {
      totalCodeSizeLimit: TOTAL_CODE_SIZE_LIMIT,
      codeSizeUnzipped: UNZIPPED_LIMIT_BYTES,
      codeSizeZipped: ZIPPED_LIMIT_BYTES,
      concurrentExecutions: this.concurrency.limits.accountLimit,
      unreservedConcurrentExecutions: this.concurrency.unreserved(ctx.accountId, ctx.region),
      totalCodeSize: usage.totalCodeSize,
      functionCount: usage.functionCount,
    };
  }
}
