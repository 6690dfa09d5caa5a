// Unit tests for shared/arn.ts: ARN formatting, AWS's FunctionName / Qualifier patterns, and the split of a
// FunctionName parameter (name, partial ARN, full ARN, each with an optional qualifier) into its parts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CREATE_FUNCTION_NAME_PATTERN,
  functionArn,
  matchesFunctionNamePattern,
  matchesQualifierPattern,
  parseFunctionArn,
  parseFunctionRef,
  PARTITION,
  QUALIFIER_PATTERN,
  READ_FUNCTION_NAME_PATTERN,
  runtimeVersionArn,
} from '../../src/shared/arn.js';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const ARN_PREFIX = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`;

describe('functionArn / runtimeVersionArn', () => {
  it('formats an unqualified function ARN in the aws partition', () => {
    assert.equal(PARTITION, 'aws');
    assert.equal(functionArn(REGION, ACCOUNT, 'my-fn'), `${ARN_PREFIX}my-fn`);
  });

  it('appends a qualifier after a colon', () => {
    assert.equal(functionArn(REGION, ACCOUNT, 'my-fn', '$LATEST'), `${ARN_PREFIX}my-fn:$LATEST`);
    assert.equal(functionArn(REGION, ACCOUNT, 'my-fn', '7'), `${ARN_PREFIX}my-fn:7`);
    assert.equal(functionArn(REGION, ACCOUNT, 'my-fn', 'live'), `${ARN_PREFIX}my-fn:live`);
  });

  it('formats the runtime version ARN with an empty account field', () => {
    const hex = 'ab'.repeat(32);
    assert.equal(runtimeVersionArn(REGION, hex), `arn:aws:lambda:${REGION}::runtime:${hex}`);
  });
});

describe('AWS FunctionName and Qualifier patterns', () => {
  it('keeps the pattern strings AWS prints in its validation messages', () => {
    // Copied from recorded AWS responses (test_lambda_api.snapshot.json, function-name validation cases).
    assert.equal(
      READ_FUNCTION_NAME_PATTERN,
      String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9-_]+))?`,
    );
    assert.equal(
      CREATE_FUNCTION_NAME_PATTERN,
      String.raw`(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`,
    );
    assert.equal(QUALIFIER_PATTERN, String.raw`\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9-_$]+`);
  });

  const both: ReadonlyArray<[string, boolean]> = [
    ['my-function', true],
    ['My_Function-01', true],
    [`${ACCOUNT}:function:my-function`, true],
    [`${ACCOUNT}:my-function`, true],
    ['function:my-function', true],
    [`${ARN_PREFIX}my-function`, true],
    [`${ARN_PREFIX}my-function:$LATEST`, true],
    [`${ARN_PREFIX}my-function:12`, true],
    [`${ARN_PREFIX}my-function:prod_alias-1`, true],
    [`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f`, true],
    [`arn:aws-us-gov:lambda:us-gov-west-1:${ACCOUNT}:function:f`, true],
    [`arn:aws-iso:lambda:us-iso-east-1:${ACCOUNT}:function:f`, true],
    [`arn:aws:lambda:eusc-de-east-1:${ACCOUNT}:function:f`, true],
    ['', false],
    ['*', false],
    ['my function', false],
    ['my-function!', false],
    [`${ARN_PREFIX}my-function:1:2`, false],
    [`${ARN_PREFIX}my-function:$LATES`, false],
    [`${ARN_PREFIX}my-function:$latest`, false],
    [`arn:aws:lambda::${ACCOUNT}:function:my-function`, false],
    [`arn:aws:lambda:${REGION}::function:my-function`, false],
    [`arn:aws:lambda:invalid-region:${ACCOUNT}:function:my-function`, false],
    [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance:i-1234567890abcdef0`, false],
    ['invalid-account:function:my-function', false],
  ];
  for (const [value, ok] of both) {
    it(`${ok ? 'accepts' : 'rejects'} ${JSON.stringify(value.length > 70 ? `${value.slice(0, 70)}…` : value)} for read and create`, () => {
      assert.equal(matchesFunctionNamePattern(value, 'read'), ok);
      assert.equal(matchesFunctionNamePattern(value, 'create'), ok);
    });
  }

  it('accepts dots in names and $LATEST.PUBLISHED only for read operations', () => {
    for (const value of ['my.function', `${ARN_PREFIX}my.function`, `${ARN_PREFIX}f:$LATEST.PUBLISHED`, 'f:$LATEST.PUBLISHED']) {
      assert.equal(matchesFunctionNamePattern(value, 'read'), true, value);
      assert.equal(matchesFunctionNamePattern(value, 'create'), false, value);
    }
  });

  it('matches the whole value, not a substring', () => {
    assert.equal(matchesFunctionNamePattern('ok\nnot ok', 'read'), false);
    assert.equal(matchesFunctionNamePattern(' ok', 'create'), false);
    assert.equal(matchesQualifierPattern('1 '), false);
  });

  it('qualifier pattern: $LATEST, versions, aliases and names containing $', () => {
    for (const q of ['$LATEST', '$LATEST.PUBLISHED', '1', '42', 'live', 'a-b_c', '$latest', 'x$y']) {
      assert.equal(matchesQualifierPattern(q), true, q);
    }
    for (const q of ['', 'invalid!', 'a.b', 'a:b', 'a b', '$LATEST.published']) {
      assert.equal(matchesQualifierPattern(q), false, q);
    }
  });
});

describe('parseFunctionRef', () => {
  it('a bare name has only a name', () => {
    assert.deepEqual(parseFunctionRef('my-function'), { name: 'my-function' });
  });

  it('name:qualifier', () => {
    assert.deepEqual(parseFunctionRef('my-function:$LATEST'), { name: 'my-function', qualifier: '$LATEST' });
    assert.deepEqual(parseFunctionRef('my-function:3'), { name: 'my-function', qualifier: '3' });
  });

  it('partial ARN account:function:name', () => {
    assert.deepEqual(parseFunctionRef(`${ACCOUNT}:function:f`), { name: 'f', accountId: ACCOUNT });
    assert.deepEqual(parseFunctionRef(`${ACCOUNT}:function:f:live`), { name: 'f', accountId: ACCOUNT, qualifier: 'live' });
  });

  it('partial ARN function:name', () => {
    assert.deepEqual(parseFunctionRef('function:f'), { name: 'f' });
  });

  it('full ARN without and with qualifier', () => {
    assert.deepEqual(parseFunctionRef(`${ARN_PREFIX}f`), { name: 'f', region: REGION, accountId: ACCOUNT });
    assert.deepEqual(parseFunctionRef(`${ARN_PREFIX}f:$LATEST`), {
      name: 'f', region: REGION, accountId: ACCOUNT, qualifier: '$LATEST',
    });
    assert.deepEqual(parseFunctionRef(`${ARN_PREFIX}f:12`), { name: 'f', region: REGION, accountId: ACCOUNT, qualifier: '12' });
  });

  it('full ARN in other partitions and region families', () => {
    assert.deepEqual(parseFunctionRef(`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f`), {
      name: 'f', region: 'cn-north-1', accountId: ACCOUNT,
    });
    assert.equal(parseFunctionRef(`arn:aws-us-gov:lambda:us-gov-west-1:${ACCOUNT}:function:f`).region, 'us-gov-west-1');
    assert.equal(parseFunctionRef(`arn:aws-iso-b:lambda:us-isob-east-1:${ACCOUNT}:function:f`).region, 'us-isob-east-1');
    assert.equal(parseFunctionRef(`arn:aws:lambda:eusc-de-east-1:${ACCOUNT}:function:f`).region, 'eusc-de-east-1');
  });

  it('a name that is literally "function" (incomplete ARN) is a name', () => {
    assert.deepEqual(parseFunctionRef(`arn:aws:lambda:${REGION}:${ACCOUNT}:function`), {
      name: 'function', region: REGION, accountId: ACCOUNT,
    });
  });

  it('$LATEST.PUBLISHED and dotted names (read forms)', () => {
    assert.deepEqual(parseFunctionRef('my.fn:$LATEST.PUBLISHED'), { name: 'my.fn', qualifier: '$LATEST.PUBLISHED' });
  });

  it('leaves absent parts out of the object entirely', () => {
    const ref = parseFunctionRef('f');
    assert.equal(Object.hasOwn(ref, 'qualifier'), false);
    assert.equal(Object.hasOwn(ref, 'region'), false);
    assert.equal(Object.hasOwn(ref, 'accountId'), false);
  });
});

describe('parseFunctionArn', () => {
  it('parses a full unqualified ARN', () => {
    assert.deepEqual(parseFunctionArn(`${ARN_PREFIX}f`), { region: REGION, accountId: ACCOUNT, name: 'f' });
  });

  it('parses qualified ARNs ($LATEST, version, alias)', () => {
    assert.deepEqual(parseFunctionArn(`${ARN_PREFIX}f:$LATEST`), { region: REGION, accountId: ACCOUNT, name: 'f', qualifier: '$LATEST' });
    assert.deepEqual(parseFunctionArn(`${ARN_PREFIX}f:3`), { region: REGION, accountId: ACCOUNT, name: 'f', qualifier: '3' });
    assert.deepEqual(parseFunctionArn(`${ARN_PREFIX}f:live`), { region: REGION, accountId: ACCOUNT, name: 'f', qualifier: 'live' });
  });

  it('accepts other aws partitions', () => {
    assert.deepEqual(parseFunctionArn(`arn:aws-cn:lambda:cn-north-1:${ACCOUNT}:function:f`), {
      region: 'cn-north-1', accountId: ACCOUNT, name: 'f',
    });
  });

  it('returns null for anything that is not a full function ARN', () => {
    for (const value of [
      'f',
      `${ACCOUNT}:function:f`,
      'function:f',
      `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:l:1`,
      `arn:aws:ec2:${REGION}:${ACCOUNT}:instance:i-1`,
      `arn:aws:lambda:${REGION}:12345:function:f`,
      `arn:aws:lambda:${REGION}:${ACCOUNT}:function:`,
      `arn:aws:something`,
      `${ARN_PREFIX}f:1:2`,
    ]) {
      assert.equal(parseFunctionArn(value), null, value);
    }
  });
});
