// Every AWS exception Nimbus raises, with AWS's exact wording, in one place so it is reviewed in one place
// (STYLE.md "Errors"). Wording and body casing are pinned by tests against recorded AWS responses.
import { AwsError } from '../shared/errors.js';

/** `1 validation error detected: <a>` / `2 validation errors detected: <a>; <b>` (ValidationException, 400). */
export function validationError(problems: readonly string[]): AwsError {
  const n = problems.length;
  return new AwsError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`, {
    status: 400,
    faultType: null,
  });
}

/** One constraint violation, in AWS's words: `Value 'x' at 'field' failed to satisfy constraint: <constraint>`. */
export function constraint(value: string, field: string, rule: string): string {
  return `Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`;
}

export const rules = {
  maxLength: (n: number) => `Member must have length less than or equal to ${n}`,
  minLength: (n: number) => `Member must have length greater than or equal to ${n}`,
  pattern: (p: string) => `Member must satisfy regular expression pattern: ${p}`,
  max: (n: number) => `Member must have value less than or equal to ${n}`,
  min: (n: number) => `Member must have value greater than or equal to ${n}`,
  enumSet: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
};

/** Acting on another account's function (AWS: 403 AccessDeniedException; its message is not recorded). */
export function accessDenied(operation: string, resourceArn: string): AwsError {
  return new AwsError('AccessDeniedException', `User is not authorized to perform: lambda:${operation} on resource: ${resourceArn}`, {
    status: 403,
    casing: 'Message',
    faultType: null,
  });
}

/** Wording of the layer operations, as AWS recorded it (LocalStack's TestLambdaLayer snapshots). */
export const layerMessages = {
  notFound: 'The resource you requested does not exist.',
  versionBelowOne: 'Layer Version Cannot be less than 1',
  versionNotFound: (arn: string) => `Layer version ${arn} does not exist.`,
  noPolicy: 'No policy is associated with the given resource.',
  statementNotFound: (sid: string) => `Statement ${sid} is not found in resource policy.`,
  statementExists: (sid: string) =>
    `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
  policyRevision: 'The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id',
  tooManyLayers: (max: number) => `Cannot reference more than ${max} layers.`,
  otherRegion: (region: string) => `Layers are not in the same region as the function. Layers are expected to be in region ${region}.`,
  sameLayerTwice: (a: string, b: string) =>
    `Two different versions of the same layer are not allowed to be referenced in the same function. ${a} and ${b} are versions of the same layer.`,
} as const;

/** A layer policy's RevisionId precondition failed (412). */
export function layerPolicyChanged(): AwsError {
  return new AwsError('PreconditionFailedException', layerMessages.policyRevision, { status: 412 });
}

export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, { status: 400 });
}

/** An alias on $LATEST cannot split traffic; AWS leaves the Type member out of this one error's body. */
export function latestWithWeights(): AwsError {
  return new AwsError('InvalidParameterValueException', messages.latestWithWeights, { status: 400, faultType: null });
}

export function resourceNotFound(message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, { status: 404, casing: 'Message' });
}

export function functionNotFound(arn: string): AwsError {
  return resourceNotFound(`Function not found: ${arn}`);
}

export function resourceConflict(message: string): AwsError {
  return new AwsError('ResourceConflictException', message, { status: 409 });
}

/** AWS names the function by its bare name here (and spells "exist" so). */
export function functionAlreadyExists(name: string): AwsError {
  return resourceConflict(`Function already exist: ${name}`);
}

export function updateInProgress(arn: string): AwsError {
  return resourceConflict(
    `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
  );
}

export function preconditionFailed(api: 'GetFunction' | 'GetAlias' | 'GetPolicy' = 'GetFunction'): AwsError {
  const which = api === 'GetPolicy' ? 'GetPolicy' : 'GetFunction/GetAlias';
  return new AwsError(
    'PreconditionFailedException',
    `The Revision Id provided does not match the latest Revision Id. Call the ${which} API to retrieve the latest Revision Id`,
    { status: 412 },
  );
}

/** Reserving more than the account can spare; AWS leaves the Type member out of this error's body. */
export function unreservedBelowMinimum(min: number): AwsError {
  return new AwsError('InvalidParameterValueException', messages.unreservedBelowMinimum(min), { status: 400, faultType: null });
}

export function provisionedConfigNotFound(): AwsError {
  return new AwsError('ProvisionedConcurrencyConfigNotFoundException', 'No Provisioned Concurrency Config found for this function', { status: 404 });
}

/** Provisioned concurrency beyond what the account can spare; like its reserved twin, without a Type member. */
export function provisionedOverLimit(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message, { status: 400, faultType: null });
}

export type ThrottleReason = 'ReservedFunctionConcurrentInvocationLimitExceeded' | 'ConcurrentInvocationLimitExceeded';

/** 429 with AWS's `Reason` member and a `Retry-After` header (seconds). */
export function tooManyRequests(reason: ThrottleReason, retryAfterSec = 1): AwsError {
  return new AwsError('TooManyRequestsException', 'Rate Exceeded.', {
    status: 429, extra: { Reason: reason }, headers: { 'Retry-After': String(retryAfterSec) },
  });
}

export function requestTooLarge(message: string): AwsError {
  return new AwsError('RequestEntityTooLargeException', message, { status: 413, faultType: null });
}

export function invalidRequestContent(message: string): AwsError {
  return new AwsError('InvalidRequestContentException', message, { status: 400 });
}

export function serviceException(message: string): AwsError {
  return new AwsError('ServiceException', message, { status: 500, casing: 'Message', faultType: 'Service' });
}

export const messages = {
  unzip: 'Could not unzip uploaded file. Please check your file, then try to upload again.',
  zippedTooLarge: (limit: number) => `Zipped size must be smaller than ${limit} bytes`,
  unzippedTooLarge: (limit: number) => `Unzipped size must be smaller than ${limit} bytes`,
  requestTooLarge: (limit: number, op: string) => `Request must be smaller than ${limit} bytes for the ${op} operation`,
  qualifierMismatch: 'The derived qualifier from the function name does not match the specified qualifier.',
  wrongRegion: (fromRegion: string, region: string) =>
    `Functions from '${fromRegion}' are not reachable in this region ('${region}')`,
  envTooLarge: (measured: string) =>
    `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`,
  reservedEnvKeys: (keys: readonly string[]) =>
    `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${keys.join(', ')}`,
  deprecatedRuntime: (runtime: string) =>
    `The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
  invalidJsonPayload: (detail: string) => `Could not parse request body into json: Could not parse payload into json: ${detail}`,
  tooManyTags: 'Number of tags exceeds resource tag limit.',
  deleteLatest: '$LATEST version cannot be deleted without deleting the function.',
  deleteAlias: 'Deletion of aliases is not currently supported.',
  emptyZip: 'Uploaded file must be a non-empty zip',
  taggingQualified: 'Tags on function aliases and versions are not supported. Please specify a function ARN.',
  emptyTags: 'An error occurred and the request cannot be processed.',
  publishCodeShaMismatch: (given: string, current: string) =>
    `CodeSHA256 (${given}) is different from current CodeSHA256 in $LATEST (${current}). Please try again with the CodeSHA256 in $LATEST.`,
  versionReferencedByAliases: (aliases: readonly string[]) =>
    `Unable to delete version because the following aliases reference it: [${aliases.join(', ')}]`,
  invalidMarker: 'Invalid Marker: the Marker must be one returned by a previous call.',
  aliasExists: (arn: string) => `Alias already exists: ${arn}`,
  aliasNotFound: (arn: string) => `Alias not found: ${arn}`,
  aliasCannotFind: (arn: string) => `Cannot find alias arn: ${arn}`,
  qualifiedConcurrency:
    'This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.',
  unreservedBelowMinimum: (min: number) =>
    `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${min}].`,
  provisionedOnLatest: 'Provisioned Concurrency Configs cannot be applied to unpublished function versions.',
  provisionedNeedsQualifier: 'The function resource provided must be an alias or a published version.',
  provisionedAliasOnProvisionedVersion: "Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version",
  provisionedVersionUnderAlias: 'Version is pointed by a Provisioned Concurrency alias',
  provisionedOverUnreserved: (unreserved: number) => `Specified ConcurrentExecutions for function is greater than account's unreserved concurrency [${unreserved}].`,
  provisionedBelowMinimum: (min: number) => `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${min}].`,
  deadLetterArnPrefix: "Invalid dead letter queue ARN: ARNs must start with 'arn:'",
  deadLetterArnService: (arn: string) => `Invalid dead letter queue ARN: ${arn} is not an Amazon SQS queue or Amazon SNS topic ARN.`,
  tooManyWeights: 'Number of items in AdditionalVersionWeights cannot be greater than 1',
  weightSameVersion: (v: string) => `Invalid function version ${v}. Function version ${v} is already included in routing configuration.`,
  latestWithWeights: '$LATEST is not supported for an alias pointing to more than 1 version',
} as const;

/** Wording of the function URL operations, as AWS recorded it (LocalStack's TestLambdaUrl snapshots). */
export const urlMessages = {
  notFound: 'The resource you requested does not exist.',
  functionMissing: 'Function does not exist',
  exists: (arn: string) => `Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
  /** The body of a URL request that auth or the resource policy refuses (403 AccessDeniedException). */
  forbidden: 'Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html',
} as const;

/** Wording of AddPermission / GetPolicy / RemovePermission, as AWS recorded it (TestLambdaPermissions). */
export const policyMessages = {
  noPolicy: 'No policy is associated with the given resource.',
  noPolicyFor: (arn: string) => `No policy found for: ${arn}`,
  statementNotFound: (sid: string) => `Statement ${sid} is not found in resource policy.`,
  statementExists: (sid: string) =>
    `The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
  latest: 'We currently do not support adding policies for $LATEST.',
  badPrincipal: 'The provided principal was invalid. Please check the principal and try again.',
  resourceMissing: 'The resource you requested does not exist.',
} as const;

/** Wording of the HTTP API operations (API Gateway's where known; Nimbus's own where it refuses what it lacks). */
export const httpApiMessages = {
  nameRequired: 'Name is required.',
  protocol: (p: string | undefined) => (p === 'WEBSOCKET' ? 'Nimbus serves HTTP APIs only: WEBSOCKET APIs are not supported.' : `Invalid protocol type: ${String(p)}`),
  routeKeyWithoutTarget: 'RouteKey can only be specified for quick create, with a Target.',
  apiNotFound: (accountId: string, apiId: string) => `Invalid API identifier specified ${accountId}:${apiId}`,
  routeKeyRequired: 'RouteKey is required.',
  routeKey: (key: string) => `Unable to create route ${key}: the route key must be $default or "<METHOD> /<path>".`,
  routeExists: (key: string) => `Route with key ${key} already exists for this API`,
  routeNotFound: (id: string) => `Invalid Route identifier specified ${id}`,
  integrationNotFound: (id: string) => `Invalid Integration identifier specified ${id}`,
  integrationInUse: (id: string) => `Cannot delete Integration ${id}: it is the target of a route.`,
  integrationType: (t: string | undefined) => `Nimbus supports integrationType AWS_PROXY (Lambda proxy) only, not ${String(t)}.`,
  integrationUri: (uri: string) => `Invalid integration URI specified: ${uri}. Nimbus integrates Lambda function ARNs.`,
  payloadVersion: (v: string) => `Invalid payload format version specified: ${v}`,
  timeout: 'Timeout must be between 50 ms and 30000 ms',
  target: (t: string) => `Invalid target: ${t}`,
  stageName: (name: string | undefined) => `Invalid stage name: ${String(name)}`,
  stageExists: (name: string) => `Stage ${name} already exists`,
  stageNotFound: 'Invalid stage identifier specified',
} as const;

/** API Gateway v2's errors: `{"message": ...}` bodies named by x-amzn-ErrorType. */
export function notFoundV2(message: string): AwsError {
  return new AwsError('NotFoundException', message, { status: 404, faultType: null });
}

export function badRequestV2(message: string): AwsError {
  return new AwsError('BadRequestException', message, { status: 400, faultType: null });
}

export function conflictV2(message: string): AwsError {
  return new AwsError('ConflictException', message, { status: 409, faultType: null });
}
