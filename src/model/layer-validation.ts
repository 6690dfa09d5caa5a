// Validation of layer requests as AWS applies it: PublishLayerVersion members, layer names and version numbers,
// list filters, AddLayerVersionPermission members and the `Layers` member of a function. Patterns are the ones
// AWS quotes in its messages (recorded responses), which for layer version ARNs differ from the botocore model.
import { AwsError } from '../shared/errors.js';
import { constraint, invalidParameter, layerMessages, rules, validationError } from './aws-errors.js';
import { AWS_RUNTIME_ENUM } from './runtimes.js';

export const LAYER_NAME_PATTERN = '(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+';
export const LAYER_VERSION_ARN_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)';
const STATEMENT_ID_PATTERN = '([a-zA-Z0-9-_]+)';
const ACTION_PATTERN = 'lambda:GetLayerVersion';
const PRINCIPAL_PATTERN = '\\d{12}|\\*|arn:(aws[a-zA-Z-]*):iam::\\d{12}:root';
const ORGANIZATION_PATTERN = 'o-[a-z0-9]{10,32}';
const ARCHITECTURES = ['x86_64', 'arm64'] as const;

/**
 * Runtime identifiers AWS accepts as layer compatibility and as list filters, in the order of its
 * ListLayers message (recorded). Retired runtimes are still valid here: AWS accepted a layer compatible with
 * nodejs12.x, python3.7, java8, go1.x, dotnetcore3.1, ruby2.7 and provided (test_layer_compatibilities).
 */
export const LAYER_RUNTIME_ENUM = [
  'ruby3.5', 'ruby2.6', 'dotnetcore1.0', 'python3.7', 'nodejs8.10', 'nasa', 'ruby2.7', 'python2.7-greengrass', 'dotnetcore2.0',
  'python3.8', 'java21', 'dotnet6', 'dotnetcore2.1', 'python3.9', 'java11', 'nodejs6.10', 'provided', 'dotnetcore3.1', 'dotnet8',
  'java25', 'java17', 'nodejs', 'nodejs4.3', 'java8.al2', 'go1.x', 'dotnet10', 'nodejs20.x', 'go1.9', 'byol', 'nodejs10.x',
  'provided.al2023', 'nodejs22.x', 'python3.10', 'java8', 'nodejs12.x', 'python3.11', 'nodejs24.x', 'nodejs8.x', 'python3.12',
  'nodejs14.x', 'nodejs8.9', 'nodejs26.x', 'python3.13', 'python3.14', 'nodejs16.x', 'python3.15', 'provided.al2', 'nodejs4.3-edge',
  'nodejs18.x', 'ruby3.2', 'python3.4', 'ruby3.3', 'ruby3.4', 'ruby2.5', 'python3.6', 'python2.7',
] as const;

const MAX_COMPATIBLE_RUNTIMES = 15;
const MAX_LAYER_NAME = 140;
const MAX_LAYER_ARN = 2048;
export const MAX_LAYER_LIST_ITEMS = 50;

const whole = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);
const layerVersionArnRe = whole(LAYER_VERSION_ARN_PATTERN);
const shown = (values: readonly string[]): string => `[${values.join(', ')}]`;

export interface PublishLayerInput {
  readonly description?: string;
  readonly compatibleRuntimes?: readonly string[];
  readonly compatibleArchitectures?: readonly string[];
  readonly licenseInfo?: string;
}

/** LayerName path parameter of every layer operation: a name or an unversioned layer ARN. */
export function layerNameProblems(layerName: string): string[] {
  return memberProblems(layerName, 'layerName', LAYER_NAME_PATTERN, MAX_LAYER_NAME);
}

export function validatePublishLayer(layerName: string, input: PublishLayerInput): void {
  const problems = layerNameProblems(layerName);
  const { description, compatibleRuntimes: runtimes, compatibleArchitectures: archs, licenseInfo } = input;
  if (description !== undefined && description.length > 256) problems.push(constraint(description, 'description', rules.maxLength(256)));
  if (runtimes !== undefined) {
    if (runtimes.length > MAX_COMPATIBLE_RUNTIMES) problems.push(constraint(shown(runtimes), 'compatibleRuntimes', rules.maxLength(MAX_COMPATIBLE_RUNTIMES)));
    // AWS accepts any runtime it knows (retired ones included) but quotes its current enum in the message.
    if (runtimes.some((r) => !(LAYER_RUNTIME_ENUM as readonly string[]).includes(r))) {
      problems.push(constraint(shown(runtimes), 'compatibleRuntimes', rules.enumSet(AWS_RUNTIME_ENUM)));
    }
  }
  if (licenseInfo !== undefined && licenseInfo.length > 512) problems.push(constraint(licenseInfo, 'licenseInfo', rules.maxLength(512)));
  if (archs !== undefined) {
    if (archs.length > ARCHITECTURES.length) problems.push(constraint(shown(archs), 'compatibleArchitectures', rules.maxLength(ARCHITECTURES.length)));
    if (archs.some((a) => !(ARCHITECTURES as readonly string[]).includes(a))) {
      problems.push(constraint(shown(archs), 'compatibleArchitectures', `Member must satisfy constraint: [${rules.enumSet(ARCHITECTURES)}, Member must not be null]`));
    }
  }
  if (problems.length > 0) throw validationError(problems);
}

/** VersionNumber path parameter (a long): below 1 is AWS's InvalidParameterValueException. */
export function parseLayerVersionNumber(raw: string): number {
  if (!/^-?\d{1,15}$/.test(raw)) {
    throw new AwsError('SerializationException', `Unable to parse VersionNumber: '${raw}' is not an integer`, { status: 400, faultType: null });
  }
  const version = Number(raw);
  if (version < 1) throw invalidParameter(layerMessages.versionBelowOne);
  return version;
}

export interface LayerFilter {
  readonly compatibleRuntime?: string;
  readonly compatibleArchitecture?: string;
}

export function validateLayerFilter(filter: LayerFilter, maxItems: number | undefined): void {
  const problems: string[] = [];
  const { compatibleRuntime: runtime, compatibleArchitecture: arch } = filter;
  if (runtime !== undefined && !(LAYER_RUNTIME_ENUM as readonly string[]).includes(runtime)) {
    problems.push(constraint(runtime, 'compatibleRuntime', rules.enumSet(LAYER_RUNTIME_ENUM)));
  }
  if (arch !== undefined && !(ARCHITECTURES as readonly string[]).includes(arch)) {
    problems.push(constraint(arch, 'compatibleArchitecture', rules.enumSet(ARCHITECTURES)));
  }
  if (maxItems !== undefined && (maxItems < 1 || maxItems > MAX_LAYER_LIST_ITEMS)) {
    problems.push(constraint(String(maxItems), 'maxItems', maxItems < 1 ? rules.min(1) : rules.max(MAX_LAYER_LIST_ITEMS)));
  }
  if (problems.length > 0) throw validationError(problems);
}

/** GetLayerVersionByArn's `Arn` query parameter. */
export function validateLayerVersionArn(arn: string | undefined): string {
  if (arn === undefined) throw validationError(["Value null at 'arn' failed to satisfy constraint: Member must not be null"]);
  if (!layerVersionArnRe.test(arn)) throw validationError([constraint(arn, 'arn', rules.pattern(LAYER_VERSION_ARN_PATTERN))]);
  return arn;
}

/** The `Layers` member of CreateFunction / UpdateFunctionConfiguration: one problem naming the whole list. */
export function functionLayersProblem(layers: readonly string[]): string | undefined {
  const bad = layers.some((arn) => arn.length < 1 || arn.length > MAX_LAYER_ARN || !layerVersionArnRe.test(arn));
  if (!bad) return undefined;
  const member = [rules.maxLength(MAX_LAYER_ARN), rules.minLength(1), rules.pattern(LAYER_VERSION_ARN_PATTERN), 'Member must not be null'];
  return constraint(shown(layers), 'layers', `Member must satisfy constraint: [${member.join(', ')}]`);
}

export interface PermissionInput {
  readonly statementId?: string;
  readonly action?: string;
  readonly principal?: string;
  readonly organizationId?: string;
}

/** Length (when `max` is given) and pattern problems of one string member; a missing required member is null. */
function memberProblems(value: string | undefined, field: string, pattern: string, max?: number, required = true): string[] {
  if (value === undefined) return required ? [`Value null at '${field}' failed to satisfy constraint: Member must not be null`] : [];
  const problems: string[] = [];
  if (max !== undefined && value.length > max) problems.push(constraint(value, field, rules.maxLength(max)));
  if (!whole(pattern).test(value)) problems.push(constraint(value, field, rules.pattern(pattern)));
  return problems;
}

export function validateLayerPermission(input: PermissionInput): void {
  const problems = [
    ...memberProblems(input.statementId, 'statementId', STATEMENT_ID_PATTERN, 100),
    ...memberProblems(input.action, 'action', ACTION_PATTERN, 22),
    ...memberProblems(input.principal, 'principal', PRINCIPAL_PATTERN),
    ...memberProblems(input.organizationId, 'organizationId', ORGANIZATION_PATTERN, 34, false),
  ];
  if (problems.length > 0) throw validationError(problems);
}

/** RemoveLayerVersionPermission's StatementId path parameter. */
export function validateStatementId(statementId: string): void {
  const problems = memberProblems(statementId, 'statementId', STATEMENT_ID_PATTERN, 100);
  if (problems.length > 0) throw validationError(problems);
}
