// Unit tests for model/function-identifier.ts: FunctionName / Qualifier validation of read-style operations
// (GetFunction, Invoke, Delete, ...) and of CreateFunction. Expected errors are read at test time from the
// recorded AWS responses in ../shared/conformance/aws-snapshots/ (never copied into this repository).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_FUNCTION_NAME_LENGTH, parseCreateIdentifier, parseReadIdentifier } from '../../src/model/function-identifier.js';
import { functionArn } from '../../src/shared/arn.js';
import { AwsError } from '../../src/shared/errors.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const ARN_PREFIX = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;
const QUALIFIER_MISMATCH = 'The derived qualifier from the function name does not match the specified qualifier.';

// dist/test/unit/<file>.js → repository root → ../shared/...
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SNAPSHOT_FILE = path.join(REPO_ROOT, '..', 'shared', 'conformance', 'aws-snapshots', 'test_lambda_api.snapshot.json');
const SNAPSHOT = JSON.parse(readFileSync(SNAPSHOT_FILE, 'utf8')) as Record<string, { 'recorded-content': Record<string, unknown> }>;
const TEST_PREFIX = 'tests/aws/services/lambda_/test_lambda_api.py::TestLambdaFunction::';

/** Replaces the snapshot's placeholders with the values used in these tests. */
function expand(text: string): string {
  return text
    .replaceAll('<partition>', 'aws')
    .replaceAll('111111111111', ACCOUNT)
    .replaceAll('<region>', REGION)
    .replace(/<a:len\((\d+)\)>/g, (_, n: string) => 'a'.repeat(Number(n)));
}

interface RecordedError {
  readonly Code: string;
  readonly Message?: string;
  readonly Count?: number;
  readonly Errors?: readonly string[];
}

/** The full AWS message: LocalStack's test splits ValidationException-style messages into Count and Errors. */
function recordedMessage(e: RecordedError): string {
  if (e.Count !== undefined && e.Errors !== undefined) {
    return expand(`${e.Count} validation error${e.Count === 1 ? '' : 's'} detected: ${e.Errors.join('; ')}`);
  }
  assert.ok(e.Message !== undefined);
  return expand(e.Message);
}

function thrown(fn: () => unknown): AwsError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an AwsError to be thrown');
}

function assertAwsShape(err: AwsError, code: string, message: string): void {
  assert.equal(err.type, code);
  assert.equal(err.message, message);
  assert.equal(err.status, 400);
  if (code === 'ValidationException') assert.deepEqual(err.body(), { message });
  else if (code === 'InvalidParameterValueException') assert.deepEqual(err.body(), { Type: 'User', message });
}

const a = (n: number): string => 'a'.repeat(n);

/**
 * Inputs of `test_function_name_and_qualifier_validation[<case>-<op>]`. The LocalStack test source is not stored
 * here; the inputs are reconstructed from the recorded messages, which echo them: the create_function variant
 * sends `FunctionName=<fn>:<qualifier>` (e.g. `my-function:invalid!`), the read variants send them separately
 * (e.g. `Value 'invalid!' at 'qualifier'`). `qualifier_too_long1`, `incomplete_arn` and
 * `function_name_and_qualifier_too_long` have no create recording; their read inputs are chosen to produce the
 * recorded not-found ARN.
 */
const CASES: Readonly<Record<string, { readonly fn: string; readonly qualifier?: string }>> = {
  function_name_is_single_invalid: { fn: '*' },
  invalid_characters_in_function_name: { fn: 'my-function!' },
  invalid_characters_in_qualifier: { fn: 'my-function', qualifier: 'invalid!' },
  qualifier_too_long0: { fn: 'my-function', qualifier: a(129) },
  qualifier_too_long: { fn: 'my-function', qualifier: a(129) },
  qualifier_too_long1: { fn: 'my-function', qualifier: a(65) },
  invalid_account_id_in_partial_arn: { fn: 'invalid-account:function:my-function' },
  invalid_region_in_arn: { fn: `arn:aws:lambda:invalid-region:${ACCOUNT}:function:my-function` },
  non_lambda_arn: { fn: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance:i-1234567890abcdef0` },
  function_name_too_long: { fn: a(65) },
  function_name_too_long_and_invalid_region: { fn: `arn:aws:lambda:invalid-region:${ACCOUNT}:function:my-function${a(170)}` },
  full_arn_and_qualifier_too_long_and_invalid_region: {
    fn: `arn:aws:lambda:invalid-region:${ACCOUNT}:function:my-function-${a(170)}`,
    qualifier: a(129),
  },
  full_arn_with_multiple_qualifiers: { fn: `${ARN_PREFIX}my-function:1:2` },
  incomplete_arn: { fn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function` },
  partial_arn_with_extra_qualifier: { fn: 'function:my-function:$LATEST:extra' },
  latest_version_with_additional_qualifier: { fn: `${ARN_PREFIX}my-function:$LATEST`, qualifier: '1' },
  lowercase_latest_qualifier: { fn: `${ARN_PREFIX}my-function`, qualifier: '$latest' },
  missing_region_in_arn: { fn: `arn:aws:lambda::${ACCOUNT}:function:my-function` },
  missing_account_id_in_arn: { fn: `arn:aws:lambda:${REGION}::function:my-function` },
  misspelled_latest_in_arn: { fn: `${ARN_PREFIX}my-function:$LATES` },
  function_name_and_qualifier_too_long: { fn: `my-function:${a(65)}` },
};

type Op = 'get_function' | 'delete_function' | 'invoke' | 'create_function';

function recordedCase(caseId: string, op: Op): RecordedError | undefined {
  const entry = SNAPSHOT[`${TEST_PREFIX}test_function_name_and_qualifier_validation[${caseId}-${op}]`];
  assert.ok(entry, `no recording for ${caseId}-${op}`);
  return entry['recorded-content'][`${op}_exception`] as RecordedError | undefined;
}

describe('recorded AWS validation: test_function_name_and_qualifier_validation', () => {
  it('every recorded case has inputs here', () => {
    const ids = Object.keys(SNAPSHOT)
      .map((k) => /test_function_name_and_qualifier_validation\[(.+)-(get_function|delete_function|invoke|create_function)\]$/.exec(k)?.[1])
      .filter((id): id is string => id !== undefined);
    assert.ok(ids.length > 0);
    for (const id of ids) assert.ok(CASES[id], `missing inputs for case ${id}`);
  });

  for (const [caseId, input] of Object.entries(CASES)) {
    it(`${caseId} — get_function`, () => {
      const recorded = recordedCase(caseId, 'get_function');
      assert.ok(recorded, 'get_function always raised in the recording');
      if (recorded.Code === 'ResourceNotFoundException') {
        // Service-level: parsing must succeed and name the function AWS reports as missing.
        const ref = parseReadIdentifier(input.fn, input.qualifier);
        assert.equal(`Function not found: ${functionArn(REGION, ACCOUNT, ref.name, ref.qualifier)}`, recordedMessage(recorded));
        return;
      }
      const err = thrown(() => parseReadIdentifier(input.fn, input.qualifier));
      assertAwsShape(err, recorded.Code, recordedMessage(recorded));
    });

    for (const op of ['delete_function', 'invoke'] as const) {
      it(`${caseId} — ${op}`, () => {
        const recorded = recordedCase(caseId, op);
        assert.ok(recorded, `${op} always raised in the recording`);
        const isValidation = recorded.Code === 'ValidationException' || recordedMessage(recorded) === QUALIFIER_MISMATCH;
        if (!isValidation) {
          // Not found / alias deletion: decided by the service after the identifier parsed.
          assert.doesNotThrow(() => parseReadIdentifier(input.fn, input.qualifier));
          return;
        }
        assertAwsShape(thrown(() => parseReadIdentifier(input.fn, input.qualifier)), recorded.Code, recordedMessage(recorded));
      });
    }

    // Some cases have no create recording; those are simply not generated (no test to skip).
    if (recordedCase(caseId, 'create_function') !== undefined) it(`${caseId} — create_function`, () => {
      const recorded = recordedCase(caseId, 'create_function');
      assert.ok(recorded);
      const fn = input.qualifier === undefined ? input.fn : `${input.fn}:${input.qualifier}`;
      const err = thrown(() => parseCreateIdentifier(fn));
      assertAwsShape(err, recorded.Code, recordedMessage(recorded));
    });
  }
});

describe('recorded AWS responses: other FunctionName cases', () => {
  const content = (test: string): Record<string, unknown> => {
    const entry = SNAPSHOT[`${TEST_PREFIX}${test}`];
    assert.ok(entry, test);
    return entry['recorded-content'];
  };
  const error = (v: unknown): { Code: string; Message: string } => (v as { Error: { Code: string; Message: string } }).Error;

  it('invoke with an invalid name pattern (test_invalid_invoke)', () => {
    const e = error(content('test_invalid_invoke')['invoke_function_name_pattern_exc']);
    const err = thrown(() => parseReadIdentifier(expand(`arn:<partition>:lambda:<region>:123400000000@function:myfn`), undefined));
    assertAwsShape(err, e.Code, expand(e.Message));
  });

  it('ARN qualifier :1 with Qualifier=$LATEST (test_ops_with_arn_qualifier_mismatch[get_function])', () => {
    const c = content('test_ops_with_arn_qualifier_mismatch[get_function]');
    const e = error(c['not_match_exception']);
    const err = thrown(() => parseReadIdentifier(`${ARN_PREFIX}some-function:1`, '$LATEST'));
    assertAwsShape(err, e.Code, e.Message);
    // The matching pair parses; the function is then not found (service level).
    const ref = parseReadIdentifier(`${ARN_PREFIX}some-function:$LATEST`, '$LATEST');
    assert.equal(`Function not found: ${functionArn(REGION, ACCOUNT, ref.name, ref.qualifier)}`, expand(error(c['match_exception']).Message));
  });

  it('create: name of 65 chars, ARN over 140 chars, bad pattern (test_function_arns)', () => {
    const c = content('test_function_arns');
    const long = error(c['long_function_name_exc']);
    assertAwsShape(thrown(() => parseCreateIdentifier(a(65))), long.Code, long.Message);
    const pattern = error(c['invalid_function_name_exc']);
    assertAwsShape(thrown(() => parseCreateIdentifier('invalid:function:name')), pattern.Code, pattern.Message);
    // The recording hides the name behind <function-name>; any name making the ARN longer than 140 qualifies.
    const arnExc = error(c['long_function_arn_exc']);
    const name = `fn-${a(100)}`;
    const arn = `${ARN_PREFIX}${name}`;
    assertAwsShape(thrown(() => parseCreateIdentifier(arn)), arnExc.Code, expand(arnExc.Message).replace('<function-name>', name));
  });

  it('create: an ARN from another region parses; the region check is service level', () => {
    const ref = parseCreateIdentifier(`arn:aws:lambda:ap-southeast-1:${ACCOUNT}:function:f`);
    assert.deepEqual(ref, { name: 'f', region: 'ap-southeast-1', accountId: ACCOUNT });
  });
});

describe('parseReadIdentifier', () => {
  it('plain name, no qualifier', () => {
    assert.deepEqual(parseReadIdentifier('my-function', undefined), { name: 'my-function' });
  });

  it('plain name with a Qualifier parameter', () => {
    assert.deepEqual(parseReadIdentifier('my-function', '$LATEST'), { name: 'my-function', qualifier: '$LATEST' });
    assert.deepEqual(parseReadIdentifier('my-function', '3'), { name: 'my-function', qualifier: '3' });
    assert.deepEqual(parseReadIdentifier('my-function', 'live'), { name: 'my-function', qualifier: 'live' });
  });

  it('partial ARN account:function:name', () => {
    assert.deepEqual(parseReadIdentifier(`${ACCOUNT}:function:f`, undefined), { name: 'f', accountId: ACCOUNT });
  });

  it('full ARN with and without qualifier', () => {
    assert.deepEqual(parseReadIdentifier(`${ARN_PREFIX}f`, undefined), { name: 'f', region: REGION, accountId: ACCOUNT });
    assert.deepEqual(parseReadIdentifier(`${ARN_PREFIX}f:$LATEST`, undefined), {
      name: 'f', region: REGION, accountId: ACCOUNT, qualifier: '$LATEST',
    });
    assert.deepEqual(parseReadIdentifier(`${ARN_PREFIX}f:2`, undefined), { name: 'f', region: REGION, accountId: ACCOUNT, qualifier: '2' });
  });

  it('a qualifier in the name that equals the Qualifier parameter is accepted', () => {
    assert.deepEqual(parseReadIdentifier(`${ARN_PREFIX}f:$LATEST`, '$LATEST'), {
      name: 'f', region: REGION, accountId: ACCOUNT, qualifier: '$LATEST',
    });
    assert.deepEqual(parseReadIdentifier('f:7', '7'), { name: 'f', qualifier: '7' });
  });

  it('a qualifier in the name that differs from the Qualifier parameter is InvalidParameterValueException', () => {
    for (const [fn, q] of [[`${ARN_PREFIX}f:1`, '$LATEST'], ['f:$LATEST', '1'], ['f:live', 'LIVE']] as const) {
      const err = thrown(() => parseReadIdentifier(fn, q));
      assertAwsShape(err, 'InvalidParameterValueException', QUALIFIER_MISMATCH);
    }
  });

  it('read names may contain dots and use $LATEST.PUBLISHED', () => {
    assert.deepEqual(parseReadIdentifier('my.function', undefined), { name: 'my.function' });
    assert.deepEqual(parseReadIdentifier('f:$LATEST.PUBLISHED', undefined), { name: 'f', qualifier: '$LATEST.PUBLISHED' });
  });

  it('does not length-check the name (AWS answers not found for 65+ chars)', () => {
    assert.deepEqual(parseReadIdentifier(a(200), undefined), { name: a(200) });
  });

  it('a 128-char qualifier is accepted, 129 is not', () => {
    assert.equal(parseReadIdentifier('f', a(128)).qualifier, a(128));
    const err = thrown(() => parseReadIdentifier('f', a(129)));
    assertAwsShape(
      err,
      'ValidationException',
      `1 validation error detected: Value '${a(129)}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it('an empty Qualifier parameter fails the qualifier pattern', () => {
    const err = thrown(() => parseReadIdentifier('f', ''));
    assert.equal(err.type, 'ValidationException');
    assert.match(err.message, /^1 validation error detected: Value '' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: /);
  });

  it('reports the qualifier error before the functionName error, joined by "; "', () => {
    const err = thrown(() => parseReadIdentifier('bad name', 'bad!'));
    assert.equal(err.type, 'ValidationException');
    assert.match(err.message, /^2 validation errors detected: Value 'bad!' at 'qualifier' .*; Value 'bad name' at 'functionName' /);
  });
});

describe('parseCreateIdentifier', () => {
  it('accepts a name, a partial ARN and a full ARN', () => {
    assert.deepEqual(parseCreateIdentifier('my-function'), { name: 'my-function' });
    assert.deepEqual(parseCreateIdentifier(`${ACCOUNT}:function:my-function`), { name: 'my-function', accountId: ACCOUNT });
    assert.deepEqual(parseCreateIdentifier(`${ARN_PREFIX}my-function`), { name: 'my-function', region: REGION, accountId: ACCOUNT });
  });

  it('keeps a qualifier given in the name (the service decides what to do with it)', () => {
    assert.deepEqual(parseCreateIdentifier('my-function:$LATEST'), { name: 'my-function', qualifier: '$LATEST' });
  });

  it('a 64-char name is accepted, 65 is InvalidParameterValueException with the validation prefix', () => {
    assert.equal(MAX_FUNCTION_NAME_LENGTH, 64);
    assert.deepEqual(parseCreateIdentifier(a(64)), { name: a(64) });
    const err = thrown(() => parseCreateIdentifier(a(65)));
    assertAwsShape(
      err,
      'InvalidParameterValueException',
      `1 validation error detected: Value '${a(65)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('the 64-char limit applies to the name inside an ARN, and the message shows the bare name', () => {
    const err = thrown(() => parseCreateIdentifier(`${ARN_PREFIX}${a(65)}`));
    assertAwsShape(
      err,
      'InvalidParameterValueException',
      `1 validation error detected: Value '${a(65)}' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
  });

  it('a 140-char value passes the length check, 141 fails it', () => {
    const ok = `${ACCOUNT}:function:${a(64)}:${a(140 - 13 - 9 - 64 - 1)}`;
    assert.equal(ok.length, 140);
    assert.equal(parseCreateIdentifier(ok).name, a(64));
    const err = thrown(() => parseCreateIdentifier(`${ok}b`));
    assertAwsShape(
      err,
      'ValidationException',
      `1 validation error detected: Value '${ok}b' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 140`,
    );
  });

  it('rejects dots and $LATEST.PUBLISHED, which only read operations accept', () => {
    for (const fn of ['my.function', 'f:$LATEST.PUBLISHED']) {
      const err = thrown(() => parseCreateIdentifier(fn));
      assert.equal(err.type, 'ValidationException');
      assert.ok(err.message.endsWith(String.raw`(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`), err.message);
    }
  });
});
