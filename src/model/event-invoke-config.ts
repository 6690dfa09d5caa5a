// Asynchronous invocation settings of one function qualifier (PutFunctionEventInvokeConfig) and the defaults
// Lambda applies without one (docs: invocation-async-retain-records / API_PutFunctionEventInvokeConfig).

export interface EventInvokeConfig {
  /** 0–2; absent means Lambda's default (2). */
  readonly maximumRetryAttempts?: number;
  /** 60–21600; absent means Lambda's default (6 h). */
  readonly maximumEventAgeSec?: number;
  readonly onSuccess?: string;
  readonly onFailure?: string;
  /** Epoch milliseconds. */
  readonly lastModified: number;
}

export const ASYNC_DEFAULTS = { maximumRetryAttempts: 2, maximumEventAgeSec: 21_600 } as const;
export const RETRY_ATTEMPTS_RANGE = { min: 0, max: 2 } as const;
export const EVENT_AGE_RANGE = { min: 60, max: 21_600 } as const;

/** The `condition` of an invocation record (destinations). */
/** Why an invocation record was sent; `ZeroReservedConcurrency`: the function may not run at all (reserved 0). */
export type AsyncCondition = 'Success' | 'RetriesExhausted' | 'EventAgeExceeded' | 'ZeroReservedConcurrency';

/** AWS's invocation record, delivered to destinations (spec/lambda-wire.md c.4). */
export interface InvocationRecord {
  readonly version: '1.0';
  readonly timestamp: string;
  readonly requestContext: { readonly requestId: string; readonly functionArn: string; readonly condition: AsyncCondition; readonly approximateInvokeCount: number };
  readonly requestPayload: unknown;
  /** Absent when the function never ran (ZeroReservedConcurrency), as AWS sends it. */
  readonly responseContext?: { readonly statusCode: number; readonly executedVersion: string; readonly functionError?: string };
  readonly responsePayload?: unknown;
}
