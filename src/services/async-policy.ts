// What happens to an async event after an attempt: Lambda's retry rules as a pure function (no I/O, no clock).
// Function errors are retried MaximumRetryAttempts times, about 1 and then 2 minutes apart; throttles and
// platform errors are retried with exponential back-off (1 s doubling, at most 5 min) for as long as the event
// is younger than MaximumEventAgeInSeconds (docs: invocation-async-error-handling). `delayScale` shrinks the
// delays for development and tests (`async.retryDelayScale`).
import { ASYNC_DEFAULTS, type AsyncCondition, type EventInvokeConfig } from '../model/index.js';

export interface AttemptCounts {
  readonly invokeCount: number;
  readonly functionErrors: number;
  readonly platformErrors: number;
}

export type AttemptResult = 'ok' | 'function-error' | 'platform-error';

export type Settlement =
  | { readonly kind: 'done'; readonly counts: AttemptCounts }
  | { readonly kind: 'retry'; readonly at: number; readonly counts: AttemptCounts }
  | { readonly kind: 'failed'; readonly condition: Exclude<AsyncCondition, 'Success'>; readonly counts: AttemptCounts };

const FUNCTION_ERROR_DELAYS_MS = [60_000, 120_000] as const;
const PLATFORM_BACKOFF_FIRST_MS = 1_000;
const PLATFORM_BACKOFF_MAX_MS = 300_000;

export function limitsOf(config: EventInvokeConfig | undefined): { maxRetries: number; maxAgeMs: number } {
  return {
    maxRetries: config?.maximumRetryAttempts ?? ASYNC_DEFAULTS.maximumRetryAttempts,
    maxAgeMs: (config?.maximumEventAgeSec ?? ASYNC_DEFAULTS.maximumEventAgeSec) * 1000,
  };
}

/** True when the event may not be attempted (again) at `now`. */
export function expired(enqueuedAt: number, now: number, config: EventInvokeConfig | undefined): boolean {
  return now - enqueuedAt > limitsOf(config).maxAgeMs;
}

export function settle(
  result: AttemptResult,
  before: AttemptCounts,
  enqueuedAt: number,
  now: number,
  config: EventInvokeConfig | undefined,
  delayScale: number,
): Settlement {
  const { maxRetries, maxAgeMs } = limitsOf(config);
  if (result === 'ok') return { kind: 'done', counts: { ...before, invokeCount: before.invokeCount + 1 } };
  if (result === 'function-error') {
    const counts = { ...before, invokeCount: before.invokeCount + 1, functionErrors: before.functionErrors + 1 };
    if (counts.functionErrors > maxRetries) return { kind: 'failed', condition: 'RetriesExhausted', counts };
    const delay = FUNCTION_ERROR_DELAYS_MS[Math.min(counts.functionErrors - 1, FUNCTION_ERROR_DELAYS_MS.length - 1)] ?? 0;
    const at = now + Math.round(delay * delayScale);
    if (at - enqueuedAt > maxAgeMs) return { kind: 'failed', condition: 'EventAgeExceeded', counts };
    return { kind: 'retry', at, counts };
  }
  const counts = { ...before, platformErrors: before.platformErrors + 1 };
  const backoff = Math.min(PLATFORM_BACKOFF_FIRST_MS * 2 ** (counts.platformErrors - 1), PLATFORM_BACKOFF_MAX_MS);
  const at = now + Math.round(backoff * delayScale);
  if (at - enqueuedAt > maxAgeMs) return { kind: 'failed', condition: 'EventAgeExceeded', counts };
  return { kind: 'retry', at, counts };
}
