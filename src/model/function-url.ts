// Function URL configurations and function resource policies (domain types and AWS's input validation). The
// wire shapes (PascalCase) are converted at the API edge; constraints follow the Lambda service model.
import { constraint, rules, validationError } from './aws-errors.js';

export type UrlAuthType = 'NONE' | 'AWS_IAM';
export type InvokeMode = 'BUFFERED' | 'RESPONSE_STREAM';
export const AUTH_TYPES: readonly UrlAuthType[] = ['NONE', 'AWS_IAM'];
export const INVOKE_MODES: readonly InvokeMode[] = ['RESPONSE_STREAM', 'BUFFERED'];

export interface UrlCors {
  readonly allowCredentials?: boolean;
  readonly allowHeaders?: readonly string[];
  readonly allowMethods?: readonly string[];
  readonly allowOrigins?: readonly string[];
  readonly exposeHeaders?: readonly string[];
  readonly maxAge?: number;
}

export interface FunctionUrlRecord {
  /** 32 characters [a-z0-9]: the host's first label and the event's apiId. */
  readonly urlId: string;
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** `$LATEST` or an alias name. */
  readonly qualifier: string;
  readonly authType: UrlAuthType;
  readonly cors?: UrlCors;
  /** As last given; absent when never given (AWS echoes it only then, and reports BUFFERED on reads). */
  readonly invokeMode?: InvokeMode;
  readonly creationTime: string;
  readonly lastModifiedTime: string;
}

export interface FunctionUrlInput {
  readonly authType?: string;
  readonly cors?: UrlCors;
  readonly invokeMode?: string;
}

/** URL configurations name `$LATEST` (no qualifier) or an alias: versions and `$LATEST` itself are refused. */
export const URL_QUALIFIER_PATTERN = '((?!^\\d+$)^[0-9a-zA-Z-_]+$)';
const urlQualifierRe = /^(?!^\d+$)[0-9a-zA-Z-_]+$/;

export function checkUrlQualifier(qualifier: string | undefined): void {
  if (qualifier !== undefined && (!urlQualifierRe.test(qualifier) || qualifier.length > 128)) {
    throw validationError([constraint(qualifier, 'qualifier', rules.pattern(URL_QUALIFIER_PATTERN))]);
  }
}

/** AuthType / InvokeMode / Cors as the service model constrains them (Cors item limits per the model). */
export function validateUrlInput(input: FunctionUrlInput, requireAuthType: boolean): void {
  const problems: string[] = [];
  if (input.authType === undefined) {
    if (requireAuthType) problems.push("Value null at 'authType' failed to satisfy constraint: Member must not be null");
  } else if (!(AUTH_TYPES as readonly string[]).includes(input.authType)) {
    problems.push(constraint(input.authType, 'authType', rules.enumSet(AUTH_TYPES)));
  }
  if (input.invokeMode !== undefined && !(INVOKE_MODES as readonly string[]).includes(input.invokeMode)) {
    problems.push(constraint(input.invokeMode, 'invokeMode', rules.enumSet(INVOKE_MODES)));
  }
  const cors = input.cors;
  if (cors !== undefined) {
    if (cors.maxAge !== undefined && cors.maxAge > 86400) problems.push(constraint(String(cors.maxAge), 'cors.maxAge', rules.max(86400)));
    if (cors.maxAge !== undefined && cors.maxAge < 0) problems.push(constraint(String(cors.maxAge), 'cors.maxAge', rules.min(0)));
    const list = (values: readonly string[] | undefined, field: string, maxItems: number, maxLength: number): void => {
      if (values === undefined) return;
      if (values.length > maxItems) problems.push(constraint(`[${values.join(', ')}]`, `cors.${field}`, `Member must have length less than or equal to ${maxItems}`));
      for (const v of values) if (v.length > maxLength) problems.push(constraint(v, `cors.${field}.member`, rules.maxLength(maxLength)));
    };
    list(cors.allowHeaders, 'allowHeaders', 100, 1024);
    list(cors.allowMethods, 'allowMethods', 6, 6);
    list(cors.allowOrigins, 'allowOrigins', 100, 253);
    list(cors.exposeHeaders, 'exposeHeaders', 100, 1024);
  }
  if (problems.length > 0) throw validationError(problems);
}
