// What a runtime reports through the Runtime API as a failure, turned into what Lambda records and returns
// (spec/lambda-wire.md b.1 "Error POST"; RIE rapi/handler/invocationerror.go, initerror.go, fatalerror.go):
// the error type Lambda logs (Error Type in INIT_REPORT and REPORT) and the payload the Invoke caller gets.
// It does not decide whether a report is allowed; runtime-api.ts does.
import type { IncomingMessage } from 'node:http';

/** 6 MiB + 100 bytes: the exact cap AWS applies to a buffered response (RIE interop/model.go). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

/** A failure as Lambda records it: the type for its logs and the payload for the caller. */
export interface RuntimeError {
  readonly errorType: string;
  readonly payload: Buffer;
}

const ERROR_TYPE = 'lambda-runtime-function-error-type';
const ERROR_BODY = 'lambda-runtime-function-error-body';
const RESPONSE_MODE = 'lambda-runtime-function-response-mode';
/** Error reports in this media type carry an X-Ray `errorCause` that Lambda keeps from the caller. */
const ERROR_WITH_CAUSE = 'application/vnd.aws.lambda.error.cause+json';

const json = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

/** The caller's error when the runtime's response (or error report) is over MAX_RESPONSE_BYTES. */
export const RESPONSE_TOO_LARGE: RuntimeError = {
  errorType: 'Function.ResponseSizeTooLarge',
  payload: json({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'Function.ResponseSizeTooLarge' }),
};

/** The caller's error when the runtime names a response mode other than `streaming`; RIE sends no payload. */
export const INVALID_RESPONSE_MODE: RuntimeError = { errorType: 'Runtime.InvalidResponseModeHeader', payload: Buffer.alloc(0) };

/**
 * Lambda keeps a declared type only when it looks like `Runtime.Xxx` or `Function.Xxx` (RIE's pattern, which is
 * not anchored); anything else is logged as Function.Unknown or Runtime.Unknown.
 */
export function validErrorType(declared: string): string {
  if (/(Runtime|Function)\.[A-Z][a-zA-Z]+/.test(declared)) return declared;
  return declared.startsWith('Function.') ? 'Function.Unknown' : 'Runtime.Unknown';
}

function field(values: Record<string, string | string[] | undefined>, name: string): string {
  const value = values[name];
  return typeof value === 'string' ? value : '';
}

/** The declared type: the header (what AWS reads), else a trailer of a chunked body, else the body's errorType. */
function errorTypeOf(req: IncomingMessage, body: Buffer): string {
  const declared = field(req.headers, ERROR_TYPE) || field(req.trailers, ERROR_TYPE);
  if (declared !== '') return validErrorType(declared);
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errorType?: unknown } | null;
    if (typeof parsed?.errorType === 'string') return validErrorType(parsed.errorType);
  } catch {
    // not JSON: the generic type
  }
  return validErrorType('');
}

/** POST /init/error: the body goes to the caller as it is. */
export function initErrorReport(req: IncomingMessage, body: Buffer): RuntimeError {
  return { errorType: errorTypeOf(req, body), payload: body };
}

/**
 * POST /invocation/{id}/error: the body goes to the caller as it is, except in the error-cause media type, whose
 * `errorCause` is removed. The X-Ray cause header (Lambda-Runtime-Function-XRay-Error-Cause) is never part of
 * the payload; Nimbus has no X-Ray to give it to.
 */
export function invocationErrorReport(req: IncomingMessage, body: Buffer): RuntimeError {
  const withCause = field(req.headers, 'content-type') === ERROR_WITH_CAUSE;
  return { errorType: errorTypeOf(req, body), payload: withCause ? withoutCause(body) : body };
}

/**
 * A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`) that failed part-way says so in its
 * trailers: the type, and the error as base64 JSON. Lambda forwards them only for streamed responses.
 */
export function streamedFailure(req: IncomingMessage): RuntimeError | undefined {
  if (field(req.headers, RESPONSE_MODE) !== 'streaming') return undefined;
  const declared = field(req.trailers, ERROR_TYPE);
  if (declared === '') return undefined;
  return { errorType: validErrorType(declared), payload: Buffer.from(field(req.trailers, ERROR_BODY), 'base64') };
}

/** True for a response the runtime streams (`Lambda-Runtime-Function-Response-Mode: streaming`). */
export function isStreamedResponse(req: IncomingMessage): boolean {
  return field(req.headers, RESPONSE_MODE) === 'streaming';
}

/** True when the runtime names a response mode Lambda does not know (only `streaming` exists). */
export function invalidResponseMode(req: IncomingMessage): boolean {
  const mode = field(req.headers, RESPONSE_MODE);
  return mode !== '' && mode !== 'streaming';
}

interface ErrorWithCause {
  errorMessage?: string | null;
  errorType?: string | null;
  stackTrace?: Array<string | null> | null;
}

function isErrorWithCause(v: unknown): v is ErrorWithCause | null {
  if (v === null) return true;
  if (typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  const text = (x: unknown) => x === undefined || x === null || typeof x === 'string';
  const trace = o['stackTrace'];
  const traceOk = trace === undefined || trace === null || (Array.isArray(trace) && trace.every(text));
  return text(o['errorMessage']) && text(o['errorType']) && traceOk;
}

/** RIE re-encodes the report as {errorMessage, errorType, stackTrace}; an unreadable one becomes "Invalid error body". */
function withoutCause(body: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!isErrorWithCause(parsed)) return json('Invalid error body');
  const stackTrace = (parsed?.stackTrace ?? []).map((line) => line ?? '');
  return json({ errorMessage: parsed?.errorMessage ?? '', errorType: parsed?.errorType ?? '', ...(stackTrace.length > 0 ? { stackTrace } : {}) });
}
