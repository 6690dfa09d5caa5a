// The platform lines Lambda writes into a function's log stream, in AWS's exact text formats
// (spec/lambda-wire.md b.5): INIT_START, START, END, REPORT, and the timeout notice.

export function initStartLine(runtimeLabel: string, runtimeVersionArn: string): string {
  return `INIT_START Runtime Version: ${runtimeLabel}\tRuntime Version ARN: ${runtimeVersionArn}`;
}

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

export interface ReportFields {
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
  /** `timeout`, `error` … when the invocation did not complete normally. */
  readonly status?: string;
  readonly errorType?: string;
}

/** Every field is followed by a tab, as Lambda prints it; `Status:` closes the line on failures. */
export function reportLine(requestId: string, f: ReportFields): string {
  let line =
    `REPORT RequestId: ${requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\tBilled Duration: ${f.billedDurationMs} ms\t` +
    `Memory Size: ${f.memorySizeMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB\t`;
  if (f.initDurationMs !== undefined) line += `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  if (f.status !== undefined) {
    line += `Status: ${f.status}`;
    if (f.errorType !== undefined) line += `\tError Type: ${f.errorType}`;
  }
  return line;
}

/** Lambda bills whole milliseconds, rounded up. */
export function billedMs(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

export function timeoutLine(isoTime: string, requestId: string, timeoutSec: number): string {
  return `${isoTime} ${requestId} Task timed out after ${timeoutSec.toFixed(2)} seconds`;
}

/** `YYYY/MM/DD/[<version>]<32 hex>`: AWS's log stream name for one execution environment. */
export function logStreamName(epochMs: number, version: string, hex32: string): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())}/[${version}]${hex32}`;
}
