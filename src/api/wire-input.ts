// AWS wire request bodies → typed service inputs. Members of the wrong JSON type get the error AWS's
// deserialiser gives; unsupported members are refused explicitly rather than ignored.
import { invalidParameter } from '../model/index.js';
import type { AliasInput, CreateInput, PublishInput, UpdateConfigInput } from '../services/index.js';
import { AwsError } from '../shared/errors.js';

type Json = Record<string, unknown>;

export function serializationError(): AwsError {
  return new AwsError('SerializationException', 'Unexpected token in request body', { status: 400, faultType: null });
}

export function parseJsonBody(body: Buffer): Json {
  if (body.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw serializationError();
    return parsed as Json;
  } catch {
    throw serializationError();
  }
}

export function str(o: Json, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw serializationError();
  return v;
}

export function num(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw serializationError();
  return v;
}

export function obj(o: Json, key: string): Json | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw serializationError();
  return v as Json;
}

function stringMap(v: Json | undefined): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw serializationError();
    out[k] = val;
  }
  return out;
}

export function stringList(o: Json, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw serializationError();
  return v as string[];
}

function refuseUnsupported(o: Json): void {
  const vpc = obj(o, 'VpcConfig');
  if (vpc !== undefined && ((stringList(vpc, 'SubnetIds')?.length ?? 0) > 0)) {
    throw invalidParameter('VpcConfig is not supported by Nimbus: functions run on the host network.');
  }
}

/** Settings members shared by CreateFunction and UpdateFunctionConfiguration. */
function settingsOf(o: Json) {
  const env = obj(o, 'Environment');
  const logging = obj(o, 'LoggingConfig');
  const tracing = obj(o, 'TracingConfig');
  const eph = obj(o, 'EphemeralStorage');
  const dlq = obj(o, 'DeadLetterConfig');
  const tracingMode = tracing === undefined ? undefined : str(tracing, 'Mode');
  if (tracingMode !== undefined && tracingMode !== 'Active' && tracingMode !== 'PassThrough') throw serializationError();
  const fields = {
    runtime: str(o, 'Runtime'),
    handler: str(o, 'Handler'),
    role: str(o, 'Role'),
    description: str(o, 'Description'),
    timeout: num(o, 'Timeout'),
    memorySize: num(o, 'MemorySize'),
    ephemeralStorageSize: eph === undefined ? undefined : num(eph, 'Size'),
    environment: env === undefined ? undefined : (stringMap(obj(env, 'Variables')) ?? {}),
    architectures: stringList(o, 'Architectures'),
    logFormat: logging === undefined ? undefined : str(logging, 'LogFormat'),
    logGroup: logging === undefined ? undefined : str(logging, 'LogGroup'),
    applicationLogLevel: logging === undefined ? undefined : str(logging, 'ApplicationLogLevel'),
    systemLogLevel: logging === undefined ? undefined : str(logging, 'SystemLogLevel'),
    tracingMode: tracingMode as 'Active' | 'PassThrough' | undefined,
    layers: stringList(o, 'Layers'),
    deadLetterTargetArn: dlq === undefined ? undefined : (str(dlq, 'TargetArn') ?? ''),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export function createInput(o: Json): CreateInput {
  refuseUnsupported(o);
  const code = obj(o, 'Code') ?? {};
  if (str(code, 'S3Bucket') !== undefined || str(code, 'ImageUri') !== undefined) {
    throw invalidParameter('Nimbus accepts deployment packages as Code.ZipFile only (no S3 or container images yet).');
  }
  const packageType = str(o, 'PackageType');
  if (packageType !== undefined && packageType !== 'Zip') throw invalidParameter('Nimbus supports PackageType Zip only.');
  const zipB64 = str(code, 'ZipFile');
  return {
    ...settingsOf(o),
    functionName: str(o, 'FunctionName') ?? '',
    zip: zipB64 === undefined ? undefined : Buffer.from(zipB64, 'base64'),
    tags: stringMap(obj(o, 'Tags')) ?? {},
  } as CreateInput;
}

export function updateConfigInput(o: Json): UpdateConfigInput {
  refuseUnsupported(o);
  const revisionId = str(o, 'RevisionId');
  return { ...settingsOf(o), ...(revisionId === undefined ? {} : { revisionId }) } as UpdateConfigInput;
}

export function updateCodeInput(o: Json): { zip: Buffer | undefined; revisionId: string | undefined; architectures: string[] | undefined } {
  if (str(o, 'S3Bucket') !== undefined || str(o, 'ImageUri') !== undefined) {
    throw invalidParameter('Nimbus accepts deployment packages as ZipFile only (no S3 or container images yet).');
  }
  const zipB64 = str(o, 'ZipFile');
  return { zip: zipB64 === undefined ? undefined : Buffer.from(zipB64, 'base64'), revisionId: str(o, 'RevisionId'), architectures: stringList(o, 'Architectures') };
}

export function publishInput(o: Json): PublishInput {
  const fields = { codeSha256: str(o, 'CodeSha256'), description: str(o, 'Description'), revisionId: str(o, 'RevisionId') };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as PublishInput;
}

/** CreateAlias / UpdateAlias bodies (the alias name of CreateAlias is returned separately). */
export function aliasInput(o: Json): { name: string | undefined; input: AliasInput } {
  const routing = obj(o, 'RoutingConfig');
  const weightsObj = routing === undefined ? undefined : (obj(routing, 'AdditionalVersionWeights') ?? {});
  let weights: Record<string, number> | undefined;
  if (weightsObj !== undefined) {
    weights = {};
    for (const [k, v] of Object.entries(weightsObj)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw serializationError();
      weights[k] = v;
    }
  }
  const fields = {
    functionVersion: str(o, 'FunctionVersion'), description: str(o, 'Description'), revisionId: str(o, 'RevisionId'), weights,
  };
  return { name: str(o, 'Name'), input: Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as AliasInput };
}

export function tagsInput(o: Json): Record<string, string> {
  return stringMap(obj(o, 'Tags')) ?? {};
}
