// Error families shared by every layer (STYLE.md "Errors").
// 1. AwsError: an AWS API exception (type name, HTTP status, exact AWS message). Thrown by services and the API
//    edge; the API's error mapper serialises it. The wording of every message lives in api/messages.ts.
// 2. Function outcomes are values (model/outcome.ts), never exceptions.
// 3. NimbusError: internal errors with an ERR_* code, a user/system flag and a cause.

/** How AWS spells the message member in the JSON body of this exception (it differs per type). */
export type MessageCasing = 'Message' | 'message';

export interface AwsErrorOptions {
  readonly status: number;
  readonly casing?: MessageCasing;
  /** `Type` member of the body (`User` or `Service`); omitted for ValidationException-style errors. */
  readonly faultType?: 'User' | 'Service' | null;
  /** Extra members of the body, e.g. `Reason` for TooManyRequestsException. */
  readonly extra?: Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

export class AwsError extends Error {
  readonly type: string;
  readonly status: number;
  readonly casing: MessageCasing;
  readonly faultType: 'User' | 'Service' | null;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly headers: Readonly<Record<string, string>>;

  constructor(type: string, message: string, options: AwsErrorOptions) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = options.status;
    this.casing = options.casing ?? 'message';
    this.faultType = options.faultType === undefined ? 'User' : options.faultType;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }

  /** The JSON body AWS sends for this exception. */
  body(): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    if (this.faultType !== null) body['Type'] = this.faultType;
    body[this.casing] = this.message;
    return { ...body, ...this.extra };
  }
}

export type NimbusErrorCode = 'ERR_CONFIG' | 'ERR_STORE' | 'ERR_ZIP' | 'ERR_INTERNAL';

export class NimbusError extends Error {
  readonly code: NimbusErrorCode;
  /** True when the cause is the user's input or setup, false for a fault of Nimbus or the host. */
  readonly user: boolean;

  constructor(code: NimbusErrorCode, message: string, options: { user?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NimbusError';
    this.code = code;
    this.user = options.user ?? false;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
