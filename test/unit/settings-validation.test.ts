// Unit tests for model/settings-validation.ts (validateSettings): which setting gets ValidationException and
// which InvalidParameterValueException, with AWS's exact messages. Where AWS's response was recorded, the
// expected value is read at test time from ../shared/conformance/aws-snapshots/ (never copied here).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AWS_RUNTIME_ENUM } from '../../src/model/runtimes.js';
import { LIMITS, RESERVED_ENV_KEYS, type SettingsInput, validateSettings } from '../../src/model/settings-validation.js';
import { AwsError } from '../../src/shared/errors.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SNAPSHOT_DIR = path.join(REPO_ROOT, '..', 'shared', 'conformance', 'aws-snapshots');
type Snapshot = Record<string, { 'recorded-date': string; 'recorded-content': Record<string, unknown> }>;
const API = JSON.parse(readFileSync(path.join(SNAPSHOT_DIR, 'test_lambda_api.snapshot.json'), 'utf8')) as Snapshot;
const COMMON = JSON.parse(readFileSync(path.join(SNAPSHOT_DIR, 'test_lambda_common.snapshot.json'), 'utf8')) as Snapshot;

/** `{Code, Message}` of a recorded ClientError response (`<test>` relative to the Lambda test directory). */
function recorded(snapshot: Snapshot, test: string, key: string): { code: string; message: string; status: number } {
  const entry = snapshot[`tests/aws/services/lambda_/${test}`];
  assert.ok(entry, `no recording for ${test}`);
  const value = entry['recorded-content'][key] as { Error: { Code: string; Message: string }; ResponseMetadata: { HTTPStatusCode: number } };
  assert.ok(value?.Error, `no error recorded under ${test} /${key}`);
  return { code: value.Error.Code, message: value.Error.Message, status: value.ResponseMetadata.HTTPStatusCode };
}

function rejection(input: SettingsInput): AwsError {
  try {
    validateSettings(input);
  } catch (err) {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(input).slice(0, 200)} to be rejected`);
}

function assertValidation(input: SettingsInput, message: string): void {
  const err = rejection(input);
  assert.equal(err.type, 'ValidationException');
  assert.equal(err.status, 400);
  assert.equal(err.message, message);
  // Unmodelled exception: body is `{"message": ...}` with no Type.
  assert.deepEqual(err.body(), { message });
}

function assertInvalidParameter(input: SettingsInput, message: string): void {
  const err = rejection(input);
  assert.equal(err.type, 'InvalidParameterValueException');
  assert.equal(err.status, 400);
  assert.equal(err.message, message);
  assert.deepEqual(err.body(), { Type: 'User', message });
}

function assertRecorded(input: SettingsInput, r: { code: string; message: string; status: number }): void {
  const err = rejection(input);
  assert.equal(err.type, r.code);
  assert.equal(err.status, r.status);
  assert.equal(err.message, r.message);
}

const one = (e: string): string => `1 validation error detected: ${e}`;
const ROLE = 'arn:aws:iam::123456789012:role/lambda-role';
const VALID: SettingsInput = {
  runtime: 'nodejs20.x',
  handler: 'index.handler',
  role: ROLE,
  description: 'd',
  timeout: 3,
  memorySize: 128,
  ephemeralStorageSize: 512,
  environment: { FOO: 'bar' },
  architectures: ['x86_64'],
};

describe('validateSettings: accepted input', () => {
  it('accepts a complete valid request and an empty one', () => {
    validateSettings(VALID);
    validateSettings({});
  });

  it('accepts the limits themselves', () => {
    for (const input of [
      { memorySize: 128 }, { memorySize: 10240 }, { timeout: 1 }, { timeout: 900 },
      { ephemeralStorageSize: 512 }, { ephemeralStorageSize: 10240 },
      { handler: 'h'.repeat(128) }, { description: 'd'.repeat(256) }, { description: '' },
      { architectures: ['arm64'] }, { environment: {} },
    ] satisfies SettingsInput[]) {
      validateSettings(input);
    }
    assert.deepEqual(
      [LIMITS.memoryMinMb, LIMITS.memoryMaxMb, LIMITS.timeoutMinSec, LIMITS.timeoutMaxSec, LIMITS.ephemeralMinMb, LIMITS.ephemeralMaxMb, LIMITS.environmentBytes],
      [128, 10240, 1, 900, 512, 10240, 4096],
    );
  });

  it('accepts role ARNs with paths and other partitions', () => {
    for (const role of ['arn:aws:iam::123456789012:role/service-role/my_role+=,.@-', 'arn:aws-cn:iam::123456789012:role/r', 'arn:aws:iam::123456789012:role/a/b/c']) {
      validateSettings({ role });
    }
  });

  it('accepts every runtime of the AWS enum that AWS itself accepted on 2026-01-12', () => {
    // test_lambda_common.snapshot.json recorded a successful CreateFunction (201) for each of these runtimes,
    // including python3.8, python3.9, nodejs16.x, dotnet6 and java8.al2.
    const created = Object.entries(COMMON)
      .filter(([k]) => k.includes('TestLambdaRuntimesCommon::test_introspection_invoke['))
      .map(([, v]) => v['recorded-content']['create_function_result'] as { Runtime: string; ResponseMetadata: { HTTPStatusCode: number } })
      .filter((r) => r?.ResponseMetadata.HTTPStatusCode === 201)
      .map((r) => r.Runtime);
    for (const rt of ['python3.8', 'python3.9', 'nodejs16.x', 'dotnet6', 'java8.al2']) assert.ok(created.includes(rt), rt);
    for (const runtime of created) {
      assert.doesNotThrow(() => validateSettings({ runtime }), `AWS created a ${runtime} function; Nimbus refuses it`);
    }
  });

  it('accepts keys AWS does not reserve (LANG, PATH, NODE_PATH, AWS_LAMBDA_EXEC_WRAPPER, AWS_XRAY_*)', () => {
    validateSettings({
      environment: { LANG: 'C', PATH: '/x', LD_LIBRARY_PATH: '/y', NODE_PATH: '/z', PYTHONPATH: '/p', AWS_LAMBDA_EXEC_WRAPPER: '/w', AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR' },
    });
  });
});

describe('validateSettings: role', () => {
  it('matches the recorded AWS response for Role=r1 (create and update)', () => {
    assertRecorded({ role: 'r1' }, recorded(API, 'test_lambda_api.py::TestLambdaFunction::test_create_lambda_exceptions', 'invalid_role_arn_exc'));
    assertRecorded({ role: 'r1' }, recorded(API, 'test_lambda_api.py::TestLambdaFunction::test_update_lambda_exceptions', 'invalid_role_arn_exc'));
  });

  it('ValidationException with the pattern, body without Type', () => {
    assertValidation(
      { role: 'arn:aws:iam::123:role/x' },
      one(String.raw`Value 'arn:aws:iam::123:role/x' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`),
    );
  });

  it('a user ARN is not a role', () => {
    assert.equal(rejection({ role: 'arn:aws:iam::123456789012:user/u' }).type, 'ValidationException');
  });
});

describe('validateSettings: runtime', () => {
  const enumMessage = (rt: string): string =>
    `Value ${rt} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [${AWS_RUNTIME_ENUM.join(', ')}] or be a valid ARN`;

  it('matches the recorded AWS responses for an unknown and an upper-case runtime (create and update)', () => {
    for (const test of ['test_create_lambda_exceptions', 'test_update_lambda_exceptions']) {
      const t = `test_lambda_api.py::TestLambdaFunction::${test}`;
      assertRecorded({ runtime: 'non-existent-runtime' }, recorded(API, t, 'invalid_runtime_exc'));
      assertRecorded({ runtime: 'PYTHON3.9' }, recorded(API, t, 'uppercase_runtime_exc'));
    }
  });

  it('InvalidParameterValueException: unquoted value, AWS enum order, " or be a valid ARN", Type User', () => {
    assertInvalidParameter({ runtime: 'nodejs99.x' }, enumMessage('nodejs99.x'));
    assert.equal(
      enumMessage('x'),
      "Value x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2] or be a valid ARN",
    );
  });

  const deprecated = Object.keys(API)
    .map((k) => /TestRuntimeValidation::test_create_deprecated_function_runtime_with_validation_enabled\[(.+)\]$/.exec(k)?.[1])
    .filter((rt): rt is string => rt !== undefined);

  it('the recordings list the deprecated runtimes', () => {
    assert.deepEqual([...deprecated].sort(), ['dotnetcore3.1', 'go1.x', 'java8', 'nodejs12.x', 'nodejs14.x', 'provided', 'python3.7', 'ruby2.7']);
  });

  for (const rt of deprecated) {
    it(`deprecated runtime ${rt}: the recorded "no longer supported" InvalidParameterValueException`, () => {
      const r = recorded(API, `test_lambda_api.py::TestRuntimeValidation::test_create_deprecated_function_runtime_with_validation_enabled[${rt}]`, 'deprecation_error');
      assertRecorded({ runtime: rt }, r);
      assertInvalidParameter(
        { runtime: rt },
        `The runtime parameter of ${rt} is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.`,
      );
    });
  }
});

describe('validateSettings: numeric ranges', () => {
  it('memorySize 127 and 10241', () => {
    assertValidation({ memorySize: 127 }, one("Value '127' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"));
    assertValidation({ memorySize: 10241 }, one("Value '10241' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"));
  });

  it('memorySize 5555555 (the CloudFormation-reported AWS text)', () => {
    assertValidation({ memorySize: 5555555 }, one("Value '5555555' at 'memorySize' failed to satisfy constraint: Member must have value less than or equal to 10240"));
  });

  it('timeout 0, 3000 and 901', () => {
    assertValidation({ timeout: 0 }, one("Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1"));
    assertValidation({ timeout: 3000 }, one("Value '3000' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"));
    assertValidation({ timeout: 901 }, one("Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"));
  });

  it('ephemeralStorage.size 511 and 20000', () => {
    assertValidation({ ephemeralStorageSize: 511 }, one("Value '511' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512"));
    assertValidation({ ephemeralStorageSize: 20000 }, one("Value '20000' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value less than or equal to 10240"));
  });

  it('several violations become one ValidationException, "N validation errors", joined by "; "', () => {
    const err = rejection({ memorySize: 1, timeout: 0 });
    assert.equal(err.type, 'ValidationException');
    const memory = "Value '1' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128";
    const timeout = "Value '0' at 'timeout' failed to satisfy constraint: Member must have value greater than or equal to 1";
    // AWS's order between different members is not recorded; accept either.
    assert.ok(
      [`2 validation errors detected: ${memory}; ${timeout}`, `2 validation errors detected: ${timeout}; ${memory}`].includes(err.message),
      err.message,
    );
  });
});

describe('validateSettings: handler and description', () => {
  it('handler over 128 chars', () => {
    const h = 'h'.repeat(129);
    assertValidation({ handler: h }, one(`Value '${h}' at 'handler' failed to satisfy constraint: Member must have length less than or equal to 128`));
  });

  it('handler with whitespace', () => {
    for (const h of ['a b', 'index.handler\n', '\tx']) {
      assertValidation({ handler: h }, one(String.raw`Value '${h}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\s]+`));
    }
  });

  it('description over 256 chars', () => {
    const d = 'd'.repeat(257);
    assertValidation({ description: d }, one(`Value '${d}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 256`));
  });
});

describe('validateSettings: architectures', () => {
  it('matches the recorded AWS responses for two entries and a bad enum value', () => {
    const t = 'test_lambda_api.py::TestLambdaFunction::test_create_lambda_exceptions';
    assertRecorded({ architectures: ['x86_64', 'arm64'] }, recorded(API, t, 'multiple_architectures'));
    assertRecorded({ architectures: ['X86_64'] }, recorded(API, t, 'uppercase_architecture'));
  });

  it('exact texts', () => {
    assertValidation(
      { architectures: ['x86_64', 'arm64'] },
      one("Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"),
    );
    assertValidation(
      { architectures: ['X86_64'] },
      one("Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]"),
    );
  });

  it('an empty list breaks the model minimum of 1 (botocore blocks it client-side; SDK v3 sends it)', () => {
    // Message derived from AWS's constraint grammar; AWS's server-side text for this case is not recorded.
    assertValidation(
      { architectures: [] },
      one("Value '[]' at 'architectures' failed to satisfy constraint: Member must have length greater than or equal to 1"),
    );
  });
});

describe('validateSettings: environment variables', () => {
  const KEY_MESSAGE = one(
    "Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
  );

  it('invalid keys: ValidationException without the (sensitive) value', () => {
    for (const key of ['a', 'foo-bar', '1ABC', '_X', 'A B']) {
      assertValidation({ environment: { [key]: 'secret-value' } }, KEY_MESSAGE);
    }
    assert.ok(!rejection({ environment: { 'foo-bar': 'secret-value' } }).message.includes('secret-value'));
  });

  it('one key error however many keys are bad', () => {
    assertValidation({ environment: { a: '1', b: '2', GOOD: '3' } }, KEY_MESSAGE);
  });

  const reserved = (keys: string): string =>
    `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${keys}`;

  it('one reserved key', () => {
    assertInvalidParameter({ environment: { AWS_REGION: 'x' } }, reserved('AWS_REGION'));
  });

  it('several reserved keys are listed in request order, joined by ", "', () => {
    assertInvalidParameter(
      { environment: { AWS_REGION: '1', OK_KEY: '2', AWS_ACCESS_KEY_ID: '3', AWS_SECRET_ACCESS_KEY: '4' } },
      reserved('AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY'),
    );
  });

  it('every documented reserved key is refused', () => {
    for (const key of RESERVED_ENV_KEYS) {
      // `_HANDLER` and `_X_AMZN_TRACE_ID` already break the model's key pattern, checked first.
      const expected = key.startsWith('_') ? KEY_MESSAGE : reserved(key);
      assert.equal(rejection({ environment: { [key]: 'v' } }).message, expected, key);
    }
    for (const key of ['_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'AWS_SESSION_TOKEN']) {
      assert.ok(RESERVED_ENV_KEYS.includes(key), key);
    }
  });

  const tooLarge = (measured: string): string =>
    `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`;

  it('exactly 4096 bytes of compact JSON passes ({"LARGE_VAR": 4080 × "x"}, as AWS accepted)', () => {
    const env = { LARGE_VAR: 'x'.repeat(4080) };
    assert.equal(Buffer.byteLength(JSON.stringify(env)), 4096);
    validateSettings({ environment: env });
  });

  it('4097 bytes fails and shows the full measured string', () => {
    const env = { LARGE_VAR: 'x'.repeat(4081) };
    const measured = JSON.stringify(env);
    assert.equal(Buffer.byteLength(measured), 4097);
    assertInvalidParameter({ environment: env }, tooLarge(measured));
  });

  it('measures in insertion order, without spaces (multi-key)', () => {
    const env = { SMALL_VAR: 'ok', LARGE_VAR: 'x'.repeat(4097 - '{"SMALL_VAR":"ok","LARGE_VAR":""}'.length) };
    const err = rejection({ environment: env });
    assert.equal(err.message, tooLarge(`{"SMALL_VAR":"ok","LARGE_VAR":"${env.LARGE_VAR}"}`));
  });

  it('measures bytes, not characters', () => {
    // 2049 two-byte characters: 2049 + 10 chars of JSON, but 4108 bytes.
    const env = { VAR: 'é'.repeat(2049) };
    assert.ok(JSON.stringify(env).length < 4096);
    assert.equal(rejection({ environment: env }).type, 'InvalidParameterValueException');
  });

  it('matches the recorded AWS responses (single and multiple keys)', () => {
    for (const [test, key] of [
      ['test_large_environment_variables_fails', 'failed_create_fn_result'],
      ['test_large_environment_fails_multiple_keys', 'failured_create_fn_result_multi_key'],
    ] as const) {
      const r = recorded(API, `test_lambda_api.py::TestLambdaSizeLimits::${test}`, key);
      // The measured string is the request's Variables map, so the input can be recovered from the message.
      const measured = r.message.slice(r.message.indexOf('String measured: ') + 'String measured: '.length);
      const env = JSON.parse(measured) as Record<string, string>;
      assert.equal(Buffer.byteLength(measured), 4097);
      assertRecorded({ environment: env }, r);
    }
  });
});

describe('validateSettings: precedence', () => {
  it('ValidationException problems are reported before InvalidParameterValueException ones', () => {
    const err = rejection({ runtime: 'nope', role: 'r1', environment: { AWS_REGION: 'x' } });
    assert.equal(err.type, 'ValidationException');
    assert.match(err.message, /^1 validation error detected: Value 'r1' at 'role'/);
  });

});
