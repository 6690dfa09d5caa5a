// Lambda ARN formatting and the parsing of FunctionName parameters (name, partial ARN, full ARN, each with an
// optional qualifier), as AWS accepts them. Validation messages are produced by model/function-identifier.ts.

export const PARTITION = 'aws';

export function functionArn(region: string, accountId: string, name: string, qualifier?: string): string {
  const base = `arn:${PARTITION}:lambda:${region}:${accountId}:function:${name}`;
  return qualifier === undefined ? base : `${base}:${qualifier}`;
}

export function runtimeVersionArn(region: string, hashHex: string): string {
  return `arn:${PARTITION}:lambda:${region}::runtime:${hashHex}`;
}

export function layerArn(region: string, accountId: string, layerName: string, version?: number): string {
  const base = `arn:${PARTITION}:lambda:${region}:${accountId}:layer:${layerName}`;
  return version === undefined ? base : `${base}:${version}`;
}

/** `arn:<partition>:lambda:<region>:<account>:layer:<name>[:<version>]`; null if it is not one. */
export function parseLayerArn(arn: string): { region: string; accountId: string; layerName: string; version?: number } | null {
  const m = /^arn:[a-zA-Z0-9-]+:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+)(?::(\d+))?$/.exec(arn);
  if (m === null) return null;
  const [, region = '', accountId = '', layerName = '', version] = m;
  return { region, accountId, layerName, ...(version === undefined ? {} : { version: Number(version) }) };
}

/** The parts of a FunctionName parameter. Absent parts were not given. */
export interface FunctionRef {
  readonly name: string;
  readonly qualifier?: string;
  readonly region?: string;
  readonly accountId?: string;
}

// AWS's own patterns for FunctionName (botocore model `NamespacedFunctionName` / `FunctionName`), used verbatim in
// their validation messages. Read operations accept '.' in names and `$LATEST.PUBLISHED`; create does not.
export const READ_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?';
export const CREATE_FUNCTION_NAME_PATTERN =
  '(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?';
export const QUALIFIER_PATTERN = '\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+';

const readRe = new RegExp(`^(?:${READ_FUNCTION_NAME_PATTERN})$`);
const createRe = new RegExp(`^(?:${CREATE_FUNCTION_NAME_PATTERN})$`);
const qualifierRe = new RegExp(`^(?:${QUALIFIER_PATTERN})$`);

export function matchesFunctionNamePattern(value: string, mode: 'read' | 'create'): boolean {
  return (mode === 'read' ? readRe : createRe).test(value);
}

export function matchesQualifierPattern(value: string): boolean {
  return qualifierRe.test(value);
}

/**
 * Splits a FunctionName that already matched the pattern into its parts. The pattern makes every prefix optional,
 * so the split follows the same groups: `arn:aws:lambda:`, `region:`, `account:`, `function:`, name, `:qualifier`.
 */
export function parseFunctionRef(value: string): FunctionRef {
  const m = /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?((?:eusc-)?[a-z]{2}(?:(?:-gov)|(?:-iso(?:[a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(?:function:)?([a-zA-Z0-9-_.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9-_]+))?$/.exec(
    value,
  );
  if (!m) return { name: value };
  const [, region, account, name, qualifier] = m;
  return {
    name: name ?? value,
    ...(qualifier === undefined ? {} : { qualifier }),
    ...(region === undefined ? {} : { region: region.slice(0, -1) }),
    ...(account === undefined ? {} : { accountId: account.slice(0, -1) }),
  };
}

/** Parses `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`; null if it is not one. */
export function parseFunctionArn(arn: string): Required<Omit<FunctionRef, 'qualifier'>> & { qualifier?: string } | null {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9-_$.]+))?$/.exec(arn);
  if (!m) return null;
  const [, region, accountId, name, qualifier] = m;
  if (region === undefined || accountId === undefined || name === undefined) return null;
  return { region, accountId, name, ...(qualifier === undefined ? {} : { qualifier }) };
}
