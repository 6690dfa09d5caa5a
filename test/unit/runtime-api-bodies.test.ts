// What the Runtime API reads from a runtime's POSTs (spec/lambda-wire.md b.1): chunked bodies and trailers on
// every POST, written byte for byte over a raw socket; the 6 MB response cap (413 to the runtime,
// Function.ResponseSizeTooLarge for the caller); response modes and a streamed failure's trailers; error types
// (header, trailer, body; AWS's Runtime.*/Function.* rule) and the payload the caller gets (X-Ray cause kept out).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MAX_RESPONSE_BYTES } from '../../src/engine/runtime-api.js';
import { assertJson, EVENT, handOut, INVALID_ID, OK, R, send, startApi, type TestApi } from '../helpers/runtime-api-harness.js';

let t: TestApi;
beforeEach(async () => {
  t = await startApi();
});
afterEach(async () => {
  await t.close();
});

const ID = EVENT.requestId;
const RESPONSE = `${R}/invocation/${ID}/response`;
const ERROR = `${R}/invocation/${ID}/error`;
const TOO_LARGE_REPLY = { errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).', errorType: 'RequestEntityTooLarge' };
const TOO_LARGE_ERROR = {
  kind: 'error', requestId: ID, errorType: 'Function.ResponseSizeTooLarge',
  payload: '{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}',
};

describe('b.1 chunked bodies with trailers on every POST', () => {
  it('/response: chunks reassembled; empty error trailers (aws-lambda-go declares them on success) change nothing', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', RESPONSE, {
      chunks: ['{"a":', '1', '}'],
      trailers: { 'Lambda-Runtime-Function-Error-Type': '', 'Lambda-Runtime-Function-Error-Body': '' },
    });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'response', requestId: ID, body: '{"a":1}', contentType: 'application/json' }]);
  });

  it('/error: chunks reassembled, the error type read from a trailer', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', ERROR, { chunks: ['{"errorMessage":', '"x"}'], trailers: { 'Lambda-Runtime-Function-Error-Type': 'Function.Streamed' } });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Function.Streamed', payload: '{"errorMessage":"x"}' }]);
  });

  it('/init/error: chunks reassembled, the error type read from a trailer', async () => {
    const reply = await send(t.port, 'POST', `${R}/init/error`, { chunks: ['{"errorType":', '"x"}'], trailers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.BadInit' } });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'initError', errorType: 'Runtime.BadInit', payload: '{"errorType":"x"}' }]);
  });
});

describe('b.1 response size: 6291556 bytes (6 MiB + 100)', () => {
  it('exactly 6 MiB and exactly the cap are accepted whole', async () => {
    for (const [id, size] of [['six-mib', 6 * 1024 * 1024], ['cap', MAX_RESPONSE_BYTES]] as const) {
      await handOut(t, { ...EVENT, requestId: id });
      assertJson(await send(t.port, 'POST', `${R}/invocation/${id}/response`, { body: Buffer.alloc(size, 0x61) }), 202, OK);
      const call = t.fake.calls.at(-1);
      assert.equal(call?.kind === 'response' && call.body.length, size);
    }
  });

  it('one byte more: 413 RequestEntityTooLarge to the runtime, Function.ResponseSizeTooLarge for the caller', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', RESPONSE, { body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61) });
    assertJson(reply, 413, TOO_LARGE_REPLY);
    assert.equal(reply.text, '{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}');
    assert.deepEqual(t.fake.calls, [TOO_LARGE_ERROR]);
  });

  it('a chunked body over the cap likewise, and the invocation counts as answered', async () => {
    await handOut(t);
    const half = Buffer.alloc(Math.ceil((MAX_RESPONSE_BYTES + 1) / 2), 0x62);
    assertJson(await send(t.port, 'POST', RESPONSE, { chunks: [half, half] }), 413, TOO_LARGE_REPLY);
    assert.deepEqual(t.fake.calls, [TOO_LARGE_ERROR]);
    assert.equal((await send(t.port, 'POST', RESPONSE, { body: '1' })).status, 403);
  });

  it('an oversized reply for an unknown id is 400: the id is checked first', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', `${R}/invocation/stale/response`, { body: Buffer.alloc(MAX_RESPONSE_BYTES + 1) }), 400, INVALID_ID);
    assert.deepEqual(t.fake.calls, []);
  });
});

describe('b.1 response modes', () => {
  it('Lambda-Runtime-Function-Response-Mode: streaming is a response like any other', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', RESPONSE, {
      headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Content-Type': 'application/octet-stream' },
      chunks: ['part 1, ', 'part 2'],
      trailers: { 'Lambda-Runtime-Function-Error-Body': '' },
    });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'response', requestId: ID, body: 'part 1, part 2', contentType: 'application/octet-stream' }]);
  });

  it('a stream that fails part-way: the error type and base64 error body from its trailers', async () => {
    await handOut(t);
    const failure = '{"errorType":"Error","errorMessage":"mid-stream","trace":[]}';
    const reply = await send(t.port, 'POST', RESPONSE, {
      headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming' },
      chunks: ['partial'],
      trailers: { 'Lambda-Runtime-Function-Error-Type': 'Function.StreamFailed', 'Lambda-Runtime-Function-Error-Body': Buffer.from(failure).toString('base64') },
    });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Function.StreamFailed', payload: failure }]);
  });

  it('error trailers on a buffered response are not forwarded (AWS forwards them for streamed ones only)', async () => {
    await handOut(t);
    await send(t.port, 'POST', RESPONSE, { chunks: ['"ok"'], trailers: { 'Lambda-Runtime-Function-Error-Type': 'Function.X' } });
    assert.deepEqual(t.fake.calls.map((c) => c.kind), ['response']);
  });

  it('any other mode: 400 InvalidFunctionResponseMode, and Runtime.InvalidResponseModeHeader (no payload) for the caller', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', RESPONSE, { headers: { 'Lambda-Runtime-Function-Response-Mode': 'buffered' }, body: '"x"' });
    assertJson(reply, 400, { errorMessage: 'Invalid function response mode', errorType: 'InvalidFunctionResponseMode' });
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Runtime.InvalidResponseModeHeader', payload: '' }]);
  });
});

describe('b.1 error type: Lambda-Runtime-Function-Error-Type, else the body; AWS keeps Runtime.* and Function.* names', () => {
  const cases: Array<{ name: string; header?: string; trailer?: string; body: string; expected: string }> = [
    { name: 'the header', header: 'Runtime.UserCodeSyntaxError', body: '{"errorType":"SyntaxError"}', expected: 'Runtime.UserCodeSyntaxError' },
    { name: 'the header over a trailer', header: 'Function.FromHeader', trailer: 'Function.FromTrailer', body: '{}', expected: 'Function.FromHeader' },
    { name: 'the body when there is no header', body: '{"errorType":"Runtime.HandlerNotFound","errorMessage":"x"}', expected: 'Runtime.HandlerNotFound' },
    { name: 'an empty header counts as none', header: '', body: '{"errorType":"Function.FromBody"}', expected: 'Function.FromBody' },
    { name: 'a plain exception name is Runtime.Unknown', header: 'ValueError', body: '{}', expected: 'Runtime.Unknown' },
    { name: 'a Function.* name AWS does not accept is Function.Unknown', header: 'Function.lowercase', body: '{}', expected: 'Function.Unknown' },
    { name: 'the pattern is not anchored (as in RIE)', header: 'My.Runtime.Thing', body: '{}', expected: 'My.Runtime.Thing' },
    { name: 'no header and a body without errorType', body: 'not json', expected: 'Runtime.Unknown' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      await handOut(t);
      const headers = c.header === undefined ? {} : { 'Lambda-Runtime-Function-Error-Type': c.header };
      const framing = c.trailer === undefined ? { body: c.body } : { chunks: [c.body], trailers: { 'Lambda-Runtime-Function-Error-Type': c.trailer } };
      assertJson(await send(t.port, 'POST', ERROR, { headers, ...framing }), 202, OK);
      assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: c.expected, payload: c.body }]);
    });
  }

  it('/init/error follows the same rule', async () => {
    await send(t.port, 'POST', `${R}/init/error`, { body: '{"errorType":"Error"}', headers: { 'Lambda-Runtime-Function-Error-Type': 'Error' } });
    assert.deepEqual(t.fake.calls, [{ kind: 'initError', errorType: 'Runtime.Unknown', payload: '{"errorType":"Error"}' }]);
  });
});

describe('b.1 error payload: the body as posted, the X-Ray cause kept from the caller', () => {
  const cause = (size: number) => JSON.stringify({ working_directory: '/var/task', exceptions: [{ type: 'Error', message: 'x'.repeat(size), stack: [] }], paths: [] });

  it('a Lambda-Runtime-Function-XRay-Error-Cause header over 64 KiB (and over Node\'s 16 KiB header limit) is accepted and not in the payload', async () => {
    await handOut(t);
    const body = '{"errorType":"Error","errorMessage":"boom"}';
    const reply = await send(t.port, 'POST', ERROR, { body, headers: { 'Lambda-Runtime-Function-XRay-Error-Cause': cause(70 * 1024) } });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Runtime.Unknown', payload: body }]);
  });

  it('in application/vnd.aws.lambda.error.cause+json the errorCause is removed: the caller gets errorMessage, errorType, stackTrace', async () => {
    await handOut(t);
    const body = JSON.stringify({ errorMessage: 'boom', errorType: 'Error', stackTrace: ['at a', 'at b'], errorCause: JSON.parse(cause(10)), extra: 1 });
    await send(t.port, 'POST', ERROR, { body, headers: { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' } });
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Runtime.Unknown', payload: '{"errorMessage":"boom","errorType":"Error","stackTrace":["at a","at b"]}' }]);
  });

  it('that media type without a stack trace, or unreadable', async () => {
    await handOut(t);
    await send(t.port, 'POST', ERROR, { body: '{"errorCause":{"paths":[]}}', headers: { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' } });
    await handOut(t, { ...EVENT, requestId: 'req-2' });
    await send(t.port, 'POST', `${R}/invocation/req-2/error`, { body: '{"errorMessage":', headers: { 'Content-Type': 'application/vnd.aws.lambda.error.cause+json' } });
    assert.deepEqual(t.fake.calls.map((c) => c.kind === 'error' && c.payload), ['{"errorMessage":"","errorType":""}', '"Invalid error body"']);
  });

  it('in any other media type the body is passed on untouched, errorCause and all', async () => {
    await handOut(t);
    const body = '{"errorType":"Error","errorMessage":"boom","errorCause":{"paths":[]}}';
    await send(t.port, 'POST', ERROR, { body, headers: { 'Content-Type': 'application/json' } });
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: ID, errorType: 'Runtime.Unknown', payload: body }]);
  });

  it('an error report over the size cap: 413, Function.ResponseSizeTooLarge for the caller', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', ERROR, { body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x20) }), 413, TOO_LARGE_REPLY);
    assert.deepEqual(t.fake.calls, [TOO_LARGE_ERROR]);
  });
});
