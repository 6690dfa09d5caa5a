// Validation of function settings as AWS applies it on CreateFunction and UpdateFunctionConfiguration.
// Which check raises ValidationException and which InvalidParameterValueException follows AWS's recorded
// responses (spec/lambda-wire.md a.4); messages come from aws-errors.ts.
import type { AwsError } from '../shared/errors.js';
import { constraint, invalidParameter, messages, rules, validationError } from './aws-errors.js';
import { functionLayersProblem } from './layer-validation.js';
import { AWS_RUNTIME_ENUM, DEPRECATED_RUNTIMES, isAwsRuntime } from './runtimes.js';

/** Settings as given in a request (absent = not given). Field names are AWS's, lower-camel. */
export interface SettingsInput {
  readonly runtime?: string;
  readonly handler?: string;
  readonly role?: string;
  readonly description?: string;
  readonly timeout?: number;
  readonly memorySize?: number;
  readonly ephemeralStorageSize?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly architectures?: readonly string[];
  readonly logFormat?: string;
  readonly logGroup?: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
  /** Layer version ARNs, in order. */
  readonly layers?: readonly string[];
  /** DeadLetterConfig.TargetArn; '' removes it (UpdateFunctionConfiguration). */
  readonly deadLetterTargetArn?: string;
}

/** A dead-letter target must be an SQS queue or SNS topic ARN. */
const DEAD_LETTER_ARN = /^arn:aws[a-zA-Z-]*:(sqs|sns):[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;

export function validateDeadLetterArn(arn: string): void {
  if (arn === '') return;
  if (!arn.startsWith('arn:')) throw invalidParameter(messages.deadLetterArnPrefix);
  if (!DEAD_LETTER_ARN.test(arn)) throw invalidParameter(messages.deadLetterArnService(arn));
}

/** LoggingConfig enums and the log group pattern, from the botocore model. */
const LOG_FORMATS = ['JSON', 'Text'];
const APPLICATION_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'];
const LOG_GROUP_PATTERN = '[\\.\\-_/#A-Za-z0-9]+';

export const LIMITS = {
  memoryMinMb: 128,
  memoryMaxMb: 10240,
  timeoutMinSec: 1,
  timeoutMaxSec: 900,
  ephemeralMinMb: 512,
  ephemeralMaxMb: 10240,
  environmentBytes: 4096,
  handlerMaxLength: 128,
  descriptionMaxLength: 256,
} as const;

const ROLE_PATTERN = 'arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+';
const HANDLER_PATTERN = '[^\\s]+';
const ENV_KEY_PATTERN = '[a-zA-Z]([a-zA-Z0-9_])+';

/**
 * Variables Lambda sets itself and refuses from users
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export const RESERVED_ENV_KEYS: readonly string[] = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

/** Throws the first AWS error the settings would get; returns when they are acceptable. */
export function validateSettings(input: SettingsInput): void {
  const problems: string[] = [];
  const { role, handler, description, memorySize, timeout, ephemeralStorageSize, architectures } = input;
  if (role !== undefined && !new RegExp(`^(?:${ROLE_PATTERN})$`).test(role)) {
    problems.push(constraint(role, 'role', rules.pattern(ROLE_PATTERN)));
  }
  if (handler !== undefined) {
    if (handler.length > LIMITS.handlerMaxLength) problems.push(constraint(handler, 'handler', rules.maxLength(LIMITS.handlerMaxLength)));
    else if (!/^[^\s]+$/.test(handler)) problems.push(constraint(handler, 'handler', rules.pattern(HANDLER_PATTERN)));
  }
  if (description !== undefined && description.length > LIMITS.descriptionMaxLength) {
    problems.push(constraint(description, 'description', rules.maxLength(LIMITS.descriptionMaxLength)));
  }
  if (memorySize !== undefined && memorySize < LIMITS.memoryMinMb) {
    problems.push(constraint(String(memorySize), 'memorySize', rules.min(LIMITS.memoryMinMb)));
  }
  if (memorySize !== undefined && memorySize > LIMITS.memoryMaxMb) {
    problems.push(constraint(String(memorySize), 'memorySize', rules.max(LIMITS.memoryMaxMb)));
  }
  if (timeout !== undefined && timeout < LIMITS.timeoutMinSec) {
    problems.push(constraint(String(timeout), 'timeout', rules.min(LIMITS.timeoutMinSec)));
  }
  if (timeout !== undefined && timeout > LIMITS.timeoutMaxSec) {
    problems.push(constraint(String(timeout), 'timeout', rules.max(LIMITS.timeoutMaxSec)));
  }
  if (ephemeralStorageSize !== undefined) {
    if (ephemeralStorageSize < LIMITS.ephemeralMinMb) problems.push(constraint(String(ephemeralStorageSize), 'ephemeralStorage.size', rules.min(LIMITS.ephemeralMinMb)));
    if (ephemeralStorageSize > LIMITS.ephemeralMaxMb) problems.push(constraint(String(ephemeralStorageSize), 'ephemeralStorage.size', rules.max(LIMITS.ephemeralMaxMb)));
  }
  if (architectures !== undefined) {
    const shown = `[${architectures.join(', ')}]`;
    if (architectures.length === 0) problems.push(constraint(shown, 'architectures', rules.minLength(1)));
    else if (architectures.length > 1) problems.push(constraint(shown, 'architectures', rules.maxLength(1)));
    else if (architectures.some((a) => a !== 'x86_64' && a !== 'arm64')) {
      problems.push(constraint(shown, 'architectures', 'Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]'));
    }
  }
  if (input.environment !== undefined) {
    const keyRe = new RegExp(`^(?:${ENV_KEY_PATTERN})$`);
    if (Object.keys(input.environment).some((key) => !keyRe.test(key))) {
      // The member is sensitive, so AWS leaves the value out of the message.
      problems.push(`Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [${rules.pattern(ENV_KEY_PATTERN)}]`);
    }
  }
  problems.push(...loggingProblems(input));
  const layers = input.layers === undefined ? undefined : functionLayersProblem(input.layers);
  if (layers !== undefined) problems.push(layers);
  if (problems.length > 0) throw validationError(problems);

  const invalid = firstInvalidParameter(input);
  if (invalid !== undefined) throw invalid;
}

function firstInvalidParameter(input: SettingsInput): AwsError | undefined {
  const { runtime, environment } = input;
  if (runtime !== undefined) {
    if (DEPRECATED_RUNTIMES.has(runtime)) return invalidParameter(messages.deprecatedRuntime(runtime));
    if (!isAwsRuntime(runtime)) {
      return invalidParameter(`Value ${runtime} at 'runtime' failed to satisfy constraint: ${rules.enumSet(AWS_RUNTIME_ENUM)} or be a valid ARN`);
    }
  }
  if (environment !== undefined) {
    const reserved = Object.keys(environment).filter((k) => RESERVED_ENV_KEYS.includes(k));
    if (reserved.length > 0) return invalidParameter(messages.reservedEnvKeys(reserved));
    const measured = JSON.stringify(environment);
    if (Buffer.byteLength(measured) > LIMITS.environmentBytes) return invalidParameter(messages.envTooLarge(measured));
  }
  return undefined;
}

function loggingProblems(input: SettingsInput): string[] {
  const problems: string[] = [];
  const inSet = (value: string | undefined, field: string, values: readonly string[]) => {
    if (value !== undefined && !values.includes(value)) problems.push(constraint(value, `loggingConfig.${field}`, rules.enumSet(values)));
  };
  inSet(input.logFormat, 'logFormat', LOG_FORMATS);
  inSet(input.applicationLogLevel, 'applicationLogLevel', APPLICATION_LOG_LEVELS);
  inSet(input.systemLogLevel, 'systemLogLevel', SYSTEM_LOG_LEVELS);
  const group = input.logGroup;
  if (group !== undefined) {
    if (group.length > 512) problems.push(constraint(group, 'loggingConfig.logGroup', rules.maxLength(512)));
    if (!new RegExp(`^(?:${LOG_GROUP_PATTERN})$`).test(group)) problems.push(constraint(group, 'loggingConfig.logGroup', rules.pattern(LOG_GROUP_PATTERN)));
  }
  return problems;
}
