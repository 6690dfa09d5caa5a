// The result of one invocation, as a value (STYLE.md: outcomes are values, classified like OpenWhisk's
// ActivationResult). Produced by the engine, consumed by services and the API edge.

export interface InvocationMetrics {
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** Present on a cold start. */
  readonly initDurationMs?: number;
}

interface OutcomeBase {
  readonly requestId: string;
  readonly executedVersion: string;
  /** The invocation's log lines, START to REPORT inclusive (for `X-Amz-Log-Result`). */
  readonly logLines: readonly string[];
  readonly metrics?: InvocationMetrics;
  /** Set when the caller gets the outcome before the invocation is over (extensions still at work): resolves then. */
  readonly settled?: Promise<void>;
}

export type InvocationOutcome =
  | (OutcomeBase & { readonly kind: 'ok'; readonly payload: Buffer; readonly contentType: string })
  /** The function (or the runtime on its behalf) failed: AWS answers 200 with X-Amz-Function-Error. */
  | (OutcomeBase & { readonly kind: 'function-error'; readonly payload: Buffer; readonly errorType: string })
  /** Nimbus could not run the invocation (shutdown, spawn failure): AWS answers with an API error. */
  | (OutcomeBase & { readonly kind: 'platform-error'; readonly errorType: string; readonly message: string; readonly status: number });
