// Conformance helpers: compare Nimbus with AWS responses that LocalStack recorded against real AWS.
// - The recordings live outside the repository, in ../shared/conformance/aws-snapshots/ (NOTICE.md there: they must
//   not be copied in); they are read at test time, and a missing directory fails the test with a clear message.
// - WireRecorder keeps the raw HTTP response of every call a real @aws-sdk/client-lambda client makes, so tests see
//   status codes and body member casing the SDK would hide.
// - botocoreView renders a raw response the way botocore parses it (the form LocalStack snapshots), and
//   SnapshotNormaliser applies LocalStack's placeholders (<uuid:N>, <function-name:N>, layer names as
//   <resource:N>, <layer-location>, date, ...).
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SNAPSHOT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'conformance', 'aws-snapshots');
const TEST_PATH_PREFIX = 'tests/aws/services/lambda_/';

type Json = Record<string, unknown>;
const fileCache = new Map<string, Json>();

/**
 * The recorded content of one LocalStack test, e.g. `test_lambda_api.py::TestLambdaFunction::test_function_lifecycle`
 * (the key under `tests/aws/services/lambda_/`). The snapshot file is the one named after the test module.
 */
export function recorded(testId: string): Json {
  if (!existsSync(SNAPSHOT_DIR)) {
    throw new Error(
      `The recorded AWS responses are missing: expected them in ${SNAPSHOT_DIR} (../shared/conformance/aws-snapshots ` +
        'next to the repository; see NOTICE.md there). They are read at test time and are deliberately not part of this repository.',
    );
  }
  const file = `${testId.split('::')[0]?.replace(/\.py$/, '') ?? ''}.snapshot.json`;
  let data = fileCache.get(file);
  if (data === undefined) {
    const full = path.join(SNAPSHOT_DIR, file);
    if (!existsSync(full)) throw new Error(`Snapshot file ${full} is missing (see ${SNAPSHOT_DIR}/NOTICE.md).`);
    data = JSON.parse(readFileSync(full, 'utf8')) as Json;
    fileCache.set(file, data);
  }
  // Parametrised ids with raw bytes in them (`[body-n\\x87r...]`) may be given by their unique prefix.
  const key = `${TEST_PATH_PREFIX}${testId}`;
  const keys = key in data ? [key] : Object.keys(data).filter((k) => k.startsWith(key));
  const entry = keys.length === 1 ? (data[keys[0] ?? ''] as { 'recorded-content'?: Json }) : undefined;
  if (entry?.['recorded-content'] === undefined) throw new Error(`No single recorded AWS test ${testId} in ${file} (${keys.length} matches).`);
  return entry['recorded-content'];
}

// ---------------------------------------------------------------------------------------------------------------
// Raw responses of SDK calls

export interface WireResponse {
  readonly status: number;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

interface SmithyResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: unknown;
}

async function drain(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body as Readable) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Records the raw HTTP response of every call of a client (innermost deserialize middleware). */
export class WireRecorder {
  private latest: WireResponse | undefined;

  attach(client: LambdaClient): this {
    client.middlewareStack.add(
      (next) => async (args) => {
        const out = await next(args);
        const response = out.response as SmithyResponse;
        const body = await drain(response.body);
        this.latest = { status: response.statusCode, headers: { ...response.headers }, body };
        const replay = new PassThrough();
        replay.end(body);
        response.body = replay;
        return out;
      },
      { step: 'deserialize', priority: 'low', name: 'nimbusWireRecorder' },
    );
    return this;
  }

  /** Runs one SDK call and returns its raw response, whether the call succeeded or raised an AWS error. */
  async capture(call: () => Promise<unknown>): Promise<WireResponse> {
    this.latest = undefined;
    try {
      await call();
    } catch (err) {
      if (this.latest === undefined) throw err;
    }
    const wire = this.latest;
    if (wire === undefined) throw new Error('the call finished without an HTTP response');
    return wire;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// botocore's parsed form (what LocalStack snapshots)

/** Members of Lambda's modelled exceptions (botocore service model 2015-03-31), with their exact casing. */
const MODELLED_ERROR_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  ResourceNotFoundException: ['Type', 'Message'],
  ServiceException: ['Type', 'Message'],
  CodeSigningConfigNotFoundException: ['Type', 'Message'],
  InvalidParameterValueException: ['Type', 'message'],
  ResourceConflictException: ['Type', 'message'],
  InvalidRequestContentException: ['Type', 'message'],
  PreconditionFailedException: ['Type', 'message'],
  RequestTooLargeException: ['Type', 'message'],
  UnsupportedMediaTypeException: ['Type', 'message'],
  ProvisionedConcurrencyConfigNotFoundException: ['Type', 'message'],
  TooManyRequestsException: ['Type', 'message', 'Reason'],
};

function parseBody(wire: WireResponse): Json {
  if (wire.body.length === 0) return {};
  const parsed: unknown = JSON.parse(wire.body.toString('utf8'));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`non-object JSON body: ${wire.body.toString('utf8')}`);
  return parsed as Json;
}

/** The error code as botocore reads it: `x-amzn-ErrorType` (cut at ':'), else body `code`/`Code`, else `__type` (cut at '#'). */
export function errorCode(wire: WireResponse, body: Json = parseBody(wire)): string {
  const header = wire.headers['x-amzn-errortype'];
  if (header !== undefined && header !== '') return header.split(':')[0] ?? header;
  const fromBody = body['code'] ?? body['Code'] ?? body['__type'];
  return typeof fromBody === 'string' ? (fromBody.split('#').pop() ?? fromBody) : '';
}

/**
 * A response as botocore returns it: the body members plus `ResponseMetadata` for success; for errors
 * `Error: {Code, Message}`, the exception's modelled members (only when the body spells them exactly as the
 * model does) and `ResponseMetadata`. LocalStack's snapshots strip HTTPHeaders to `{}`.
 */
export function botocoreView(wire: WireResponse): Json {
  const body = parseBody(wire);
  const ResponseMetadata = { HTTPHeaders: {}, HTTPStatusCode: wire.status };
  if (wire.status < 300) return { ...body, ResponseMetadata };
  const code = errorCode(wire, body);
  const message = body['message'] ?? body['Message'] ?? '';
  const out: Json = { Error: { Code: code, Message: message } };
  for (const member of MODELLED_ERROR_MEMBERS[code] ?? []) {
    if (member in body) out[member] = body[member];
  }
  out['ResponseMetadata'] = ResponseMetadata;
  return out;
}

/**
 * The compact error form LocalStack's name/qualifier validation test records: `{Code, Message}`, or for a
 * ValidationException `{Code, Count, Errors}` with the `N validation error(s) detected: a; b` message split up.
 */
export function validationView(wire: WireResponse): Json {
  const view = botocoreView(wire);
  const error = view['Error'] as { Code?: unknown; Message?: unknown } | undefined;
  if (error === undefined) return { unexpectedSuccess: view };
  const message = String(error.Message ?? '');
  const m = /^(\d+) validation errors? detected: ([\s\S]*)$/.exec(message);
  if (error.Code === 'ValidationException' && m !== null) {
    return { Code: error.Code, Count: Number(m[1]), Errors: (m[2] ?? '').split('; ') };
  }
  return { Code: error.Code, Message: message };
}

/**
 * An Invoke response as botocore returns it: the X-Amz-* headers as output members, the status as `StatusCode`, and
 * the payload (parsed as JSON when `payload` is 'json', the way the LocalStack tests read it, else as text).
 */
export function invokeView(wire: WireResponse, payload: 'json' | 'text'): Json {
  if (wire.status >= 300) return botocoreView(wire);
  const out: Json = {};
  const members: ReadonlyArray<readonly [string, string]> = [
    ['x-amz-executed-version', 'ExecutedVersion'], ['x-amz-function-error', 'FunctionError'], ['x-amz-log-result', 'LogResult'],
  ];
  for (const [header, member] of members) {
    const value = wire.headers[header];
    if (value !== undefined) out[member] = value;
  }
  const text = wire.body.toString('utf8');
  out['Payload'] = payload === 'json' ? (JSON.parse(text) as unknown) : text;
  out['StatusCode'] = wire.status;
  out['ResponseMetadata'] = { HTTPHeaders: {}, HTTPStatusCode: wire.status };
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// LocalStack's placeholders

const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const RUNTIME_ARN_RE = /^(arn:[^:]+:lambda:[^:]*::runtime:)([0-9a-f]{64})$/;

export interface NormaliserOptions {
  /** Function names in the order the LocalStack test created them (→ `<function-name:1>`, ...). */
  readonly functionNames?: readonly string[];
  /** Further literal replacements, e.g. `{ 'i-dont-exist-1a2b': '<nonexisting-fn-name>' }`. */
  readonly replacements?: Readonly<Record<string, string>>;
  readonly accountId?: string;
  readonly region?: string;
  /** Write runs of 40+ 'a' as `<a:len(N)>`, as LocalStack's name/qualifier validation test does. */
  readonly longRuns?: boolean;
  /** Members whose string value is a JSON document (a policy): LocalStack's snapshots hold them parsed. */
  readonly jsonKeys?: readonly string[];
}

/**
 * Replaces run-specific values with LocalStack's placeholders. One instance per LocalStack test: like LocalStack,
 * it numbers uuids, code hashes and resources by first appearance across all responses of that test, so
 * responses must be normalised in the order the test recorded them. Object keys are visited sorted (the order of
 * the snapshot files).
 */
export class SnapshotNormaliser {
  private readonly names = new Map<string, string>();
  private readonly uuids = new Map<string, string>();
  private readonly shas = new Map<string, string>();
  private readonly resources = new Map<string, string>();
  /** Layer names, learnt from LayerArn / LayerVersionArn members, with their `<resource:N>` placeholders. */
  private readonly layerNames = new Map<string, string>();
  private readonly jsonKeys: ReadonlySet<string>;
  private readonly replacements: ReadonlyArray<readonly [string, string]>;
  private readonly accountId: string;
  private readonly region: string;
  private readonly longRuns: boolean;

  constructor(options: NormaliserOptions = {}) {
    for (const name of options.functionNames ?? []) this.name(name);
    this.replacements = Object.entries(options.replacements ?? {});
    this.accountId = options.accountId ?? '000000000000';
    this.region = options.region ?? 'us-east-1';
    this.longRuns = options.longRuns ?? false;
    this.jsonKeys = new Set(options.jsonKeys ?? []);
  }

  normalise(value: unknown): unknown {
    return this.walk(value, undefined, undefined);
  }

  private name(name: string): void {
    if (!this.names.has(name)) this.names.set(name, `<function-name:${this.names.size + 1}>`);
  }

  private numbered(map: Map<string, string>, kind: string, value: string): string {
    let placeholder = map.get(value);
    if (placeholder === undefined) {
      placeholder = `<${kind}:${map.size + 1}>`;
      map.set(value, placeholder);
    }
    return placeholder;
  }

  private walk(value: unknown, key: string | undefined, parentKey: string | undefined): unknown {
    if (Array.isArray(value)) return value.map((v) => this.walk(v, undefined, key));
    if (value !== null && typeof value === 'object') {
      const obj = value as Json;
      // FunctionName values are references: register them before any string of this object is rewritten.
      if (typeof obj['FunctionName'] === 'string') this.name(obj['FunctionName']);
      // So are layer names (LocalStack numbers them as ARN resources wherever they appear).
      for (const k of ['LayerArn', 'LayerVersionArn']) {
        const layer = typeof obj[k] === 'string' ? /:layer:([a-zA-Z0-9-_]+)/.exec(obj[k])?.[1] : undefined;
        if (layer !== undefined && !this.layerNames.has(layer)) this.layerNames.set(layer, this.numbered(this.resources, 'resource', layer));
      }
      const out: Json = {};
      for (const k of Object.keys(obj).sort()) out[k] = this.walk(obj[k], k, key);
      return out;
    }
    if (typeof value === 'number' && key === 'CodeSize') return '<code-size>';
    // Timestamp-typed members sent as epoch seconds (EventInvokeConfig's LastModified): botocore makes them datetimes.
    if (typeof value === 'number' && key === 'LastModified') return 'datetime';
    if (typeof value !== 'string') return value;
    if (key !== undefined && this.jsonKeys.has(key)) return this.walk(JSON.parse(value), key, parentKey);
    switch (key) {
      case 'LastModified':
      case 'CreatedDate':
        return 'date';
      case 'CodeSize':
        return '<code-size>';
      case 'CodeSha256':
        return this.numbered(this.shas, 'code-sha256', value);
      case 'Location':
        if (parentKey === 'Code') return '<location>';
        if (parentKey === 'Content') return '<layer-location>';
        break;
      case 'Role': {
        const m = /^(.*:role\/)(.+)$/.exec(value);
        if (m !== null) return this.text(m[1] ?? '') + this.numbered(this.resources, 'resource', m[2] ?? '');
        break;
      }
      case 'RuntimeVersionArn': {
        const m = RUNTIME_ARN_RE.exec(value);
        if (m !== null) return this.text(m[1] ?? '') + this.numbered(this.resources, 'resource', m[2] ?? '');
        break;
      }
    }
    return this.text(value);
  }

  private text(value: string): string {
    let s = value;
    const names = [...this.names.entries(), ...this.layerNames.entries()].sort((a, b) => b[0].length - a[0].length);
    // Code hashes already seen as CodeSha256 values are references too (e.g. quoted in PublishVersion's error).
    for (const [literal, placeholder] of [...names, ...this.replacements, ...this.shas]) s = s.split(literal).join(placeholder);
    s = s.replace(UUID_RE, (u) => this.numbered(this.uuids, 'uuid', u.toLowerCase()));
    if (this.longRuns) s = s.replace(/a{40,}/g, (run) => `<a:len(${run.length})>`);
    s = s.split(this.accountId).join('111111111111');
    s = s.split(this.region).join('<region>');
    s = s.split('arn:aws:').join('arn:<partition>:');
    return s;
  }
}

/** The environment variables AWS recorded for `runtime` (LocalStack's test_introspection_invoke). */
export function recordedEnvironment(runtime: string): Record<string, string> {
  const content = recorded(`test_lambda_common.py::TestLambdaRuntimesCommon::test_introspection_invoke[${runtime}]`);
  return (content['invocation_result_payload'] as { environment: Record<string, string> }).environment;
}
