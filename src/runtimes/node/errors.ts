/**
 * Error types the runtime raises and the two ways it serialises errors: the Runtime API body
 * (`{"errorType","errorMessage","trace"}`) and the tab-prefixed JSON printed after "Invoke Error".
 * Shapes and wording follow aws-lambda-ric 3.x `src/Errors.js` so function logs and payloads match AWS.
 * Does not log or post anything itself.
 */
import { types } from 'node:util';

export interface RapidErrorResponse {
  errorType: string;
  errorMessage: string;
  trace?: string[];
}

export class ImportModuleError extends Error {
  constructor(cause: unknown) {
    super(String(cause));
  }
}

export class HandlerNotFound extends Error {}

export class MalformedHandlerName extends Error {}

export class UserCodeSyntaxError extends Error {
  constructor(cause: unknown) {
    super(String(cause));
  }
}

/** Reported when an async handler's promise never settled and the event loop ran dry. */
export class NodeJsExit extends Error {
  constructor() {
    super(
      'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled. For more information, see https://nodejs.org/docs/latest/api/process.html#exit-codes',
    );
  }
}

export class UnhandledPromiseRejection extends Error {
  readonly reason: unknown;
  readonly promise: Promise<unknown>;

  constructor(reason: unknown, promise: Promise<unknown>) {
    super(reason as string);
    this.reason = reason;
    this.promise = promise;
  }
}

// The RIC puts `name` on the prototype, so it is not an own enumerable key and stays out of the logged JSON.
for (const cls of [ImportModuleError, HandlerNotFound, MalformedHandlerName, UserCodeSyntaxError, NodeJsExit, UnhandledPromiseRejection]) {
  Object.defineProperty(cls.prototype, 'name', { value: `Runtime.${cls.name}`, writable: true, configurable: true });
}

interface ErrorLike {
  name: string;
  message: string;
  stack: string;
}

function isErrorLike(value: unknown): value is ErrorLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof ErrorLike, unknown>>;
  return Boolean(v.name && v.message && v.stack) && typeof v.name === 'string' && typeof v.message === 'string' && typeof v.stack === 'string';
}

export function intoError(value: unknown): Error {
  return value instanceof Error ? value : new Error(value as string);
}

/** Body for `/invocation/{id}/error` and `/init/error`. A thrown non-Error gives `errorType: typeof value`. */
export function toRapidResponse(error: unknown): RapidErrorResponse {
  try {
    if (types.isNativeError(error) || isErrorLike(error)) {
      const e = error as ErrorLike;
      return { errorType: e.name, errorMessage: e.message, trace: e.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: (error as { toString(): string }).toString(), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const out: Record<string, unknown> = Object.assign(
    { errorType: value.name, errorMessage: value.message, code: (value as { code?: unknown }).code },
    value as object,
  );
  if (typeof value.stack === 'string') out['stack'] = value.stack.split('\n');
  return out;
}

/** The text after "Invoke Error" in text-format logs; always starts with a tab, as the RIC prints it. */
export function toFormatted(error: unknown): string {
  try {
    return '\t' + JSON.stringify(error, (_key, value: unknown) => withEnumerableProperties(value));
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}
