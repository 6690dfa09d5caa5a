// The Runtime API 2018-06-01 (spec/lambda-wire.md b.1) against the real listener, one test per row of b.1's
// tables: the endpoints with their success and error answers, the /next headers, and the state rules (RIE's
// router tests). The environment behind it is a fake that records what it is told. Bodies, sizes and error
// reports are in runtime-api-bodies.test.ts.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { afterEach, beforeEach, describe, it } from 'node:test';
import {
  assertJson, EVENT, handOut, INVALID_ID, invalidState, OK, open, R, send, startApi, type TestApi,
} from '../helpers/runtime-api-harness.js';

let t: TestApi;
beforeEach(async () => {
  t = await startApi();
});
afterEach(async () => {
  await t.close();
});

const NEXT = `${R}/invocation/next`;
const response = (id: string) => `${R}/invocation/${id}/response`;
const error = (id: string) => `${R}/invocation/${id}/error`;

describe('b.1 GET /runtime/invocation/next', () => {
  it('200: the event as the body, with every Lambda-Runtime-* header of the invocation', async () => {
    const got = await handOut(t, {
      ...EVENT,
      clientContext: '{"client":{"app_title":"café"},\n"custom":{"k":"v"}}',
      cognitoIdentity: '{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"us-east-1:pool"}',
    });
    assert.equal(got.status, 200);
    assert.equal(got.text, '{"hello":"world"}');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.headers['lambda-runtime-aws-request-id'], EVENT.requestId);
    assert.equal(got.headers['lambda-runtime-deadline-ms'], '1542409706888');
    assert.equal(got.headers['lambda-runtime-invoked-function-arn'], EVENT.invokedFunctionArn);
    assert.equal(got.headers['lambda-runtime-trace-id'], EVENT.traceId);
    // One line of ASCII that is still the same JSON value.
    assert.equal(got.headers['lambda-runtime-client-context'], '{"client":{"app_title":"caf\\u00e9"},"custom":{"k":"v"}}');
    assert.deepEqual(JSON.parse(got.headers['lambda-runtime-client-context'] ?? ''), { client: { app_title: 'café' }, custom: { k: 'v' } });
    assert.equal(got.headers['lambda-runtime-cognito-identity'], '{"cognitoIdentityId":"us-east-1:abc","cognitoIdentityPoolId":"us-east-1:pool"}');
  });

  it('leaves out the headers an invocation has no value for (client context, Cognito identity, trace id, tenant id)', async () => {
    const got = await handOut(t, { ...EVENT, traceId: '', clientContext: '' });
    const runtimeHeaders = Object.keys(got.headers).filter((h) => h.startsWith('lambda-runtime-')).sort();
    assert.deepEqual(runtimeHeaders, ['lambda-runtime-aws-request-id', 'lambda-runtime-deadline-ms', 'lambda-runtime-invoked-function-arn']);
  });

  it('is a long poll: the request waits in the environment, and the server has no timeout that would cut it', async () => {
    let answered = false;
    const reply = send(t.port, 'GET', NEXT).then((r) => ((answered = true), r));
    const res = await t.fake.nextPoll();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(answered, false, 'the runtime is still waiting');
    assert.deepEqual(
      [t.api.server.requestTimeout, t.api.server.headersTimeout, t.api.server.keepAliveTimeout, t.api.server.timeout],
      [0, 0, 0, 0],
    );
    t.api.deliver(res, EVENT);
    assert.equal((await reply).status, 200);
  });

  it('asked again without a reply: the same event again (the environment is not asked)', async () => {
    const first = await handOut(t);
    const again = await send(t.port, 'GET', NEXT);
    assert.equal(again.status, 200);
    assert.equal(again.text, first.text);
    assert.equal(again.headers['lambda-runtime-aws-request-id'], EVENT.requestId);
    assert.equal(again.headers['lambda-runtime-deadline-ms'], first.headers['lambda-runtime-deadline-ms']);
    // And the event can still be answered once.
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 202, OK);
  });

  it('never answers 500: when the environment fails, the connection is closed instead', async () => {
    t.fake.failWith = new Error('bug');
    await assert.rejects(send(t.port, 'GET', NEXT), /connection closed|ECONNRESET/);
  });

  it('after /init/error: 403 InvalidStateTransition (from InitError to Ready)', async () => {
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 202, OK);
    assertJson(await send(t.port, 'GET', NEXT), 403, invalidState('InitError', 'Ready'));
  });
});

describe('b.1 POST /runtime/invocation/{id}/response', () => {
  it('202 {"status":"OK"}: the body and its Content-Type go to the environment', async () => {
    await handOut(t);
    const reply = await send(t.port, 'POST', response(EVENT.requestId), { body: '<p>hi</p>', headers: { 'Content-Type': 'text/html' } });
    assertJson(reply, 202, OK);
    assert.equal(reply.text, '{"status":"OK"}');
    assert.deepEqual(t.fake.calls, [{ kind: 'response', requestId: EVENT.requestId, body: '<p>hi</p>', contentType: 'text/html' }]);
  });

  it('an empty body without Content-Type is accepted as application/json', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', response(EVENT.requestId)), 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'response', requestId: EVENT.requestId, body: '', contentType: 'application/json' }]);
  });

  it('400 InvalidRequestID for an id that is not the current invocation\'s', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', response('not-the-one'), { body: '1' }), 400, INVALID_ID);
    assert.deepEqual(t.fake.calls, []);
  });

  it('403 InvalidStateTransition for a second reply to the same id', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 202, OK);
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '2' }), 403, invalidState('RuntimeResponseSentState', 'InvocationResponse'));
    assert.equal(t.fake.calls.length, 1, 'the environment heard one reply');
  });

  it('403 for a response after an error', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', error(EVENT.requestId), { body: '{}' }), 202, OK);
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 403, invalidState('RuntimeResponseSentState', 'InvocationResponse'));
    assert.deepEqual(t.fake.calls.map((c) => c.kind), ['error']);
  });

  it('403 for a second reply racing the first while its body is still arriving (one reply per id)', async () => {
    await handOut(t);
    const first = open(t.port, 'POST', response(EVENT.requestId), { 'Transfer-Encoding': 'chunked' });
    await once(t.api.server, 'request');
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: 'second' }), 403, invalidState('InvocationResponse', 'InvocationResponse'));
    first.socket.write('5\r\nfirst\r\n0\r\n\r\n');
    assertJson(await first.reply, 202, OK);
    assert.deepEqual(t.fake.calls.map((c) => c.kind === 'response' && c.body), ['first']);
  });

  it('403 when the environment has already settled the invocation (timeout, stop)', async () => {
    await handOut(t);
    t.fake.verdict = 'refused';
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 403, invalidState('Running', 'InvocationResponse'));
  });

  it('500 InternalServerError (JSON) when the environment fails on a POST', async () => {
    await handOut(t);
    t.fake.failWith = new Error('bug');
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 500, { errorMessage: 'Internal Server Error', errorType: 'InternalServerError' });
  });
});

describe('b.1 POST /runtime/invocation/{id}/error', () => {
  it('202 {"status":"OK"}: the report goes to the environment', async () => {
    await handOut(t);
    const body = '{"errorType":"TypeError","errorMessage":"boom","trace":["TypeError: boom"]}';
    assertJson(await send(t.port, 'POST', error(EVENT.requestId), { body }), 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'error', requestId: EVENT.requestId, errorType: 'Runtime.Unknown', payload: body }]);
  });

  it('400 InvalidRequestID for an unknown id', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', error('unknown'), { body: '{}' }), 400, INVALID_ID);
  });

  it('403 for a second error, and for an error after a response', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', error(EVENT.requestId), { body: '{}' }), 202, OK);
    assertJson(await send(t.port, 'POST', error(EVENT.requestId), { body: '{}' }), 403, invalidState('RuntimeResponseSentState', 'InvocationErrorResponse'));
    await handOut(t, { ...EVENT, requestId: 'req-2' });
    assertJson(await send(t.port, 'POST', response('req-2'), { body: '1' }), 202, OK);
    assertJson(await send(t.port, 'POST', error('req-2'), { body: '{}' }), 403, invalidState('RuntimeResponseSentState', 'InvocationErrorResponse'));
  });
});

describe('b.1 POST /runtime/init/error', () => {
  it('202 before the first /next: body and error type go to the environment', async () => {
    const body = '{"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module"}';
    const reply = await send(t.port, 'POST', `${R}/init/error`, { body, headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' } });
    assertJson(reply, 202, OK);
    assert.deepEqual(t.fake.calls, [{ kind: 'initError', errorType: 'Runtime.ImportModuleError', payload: body }]);
  });

  it('403 after /next (waiting, and while an invocation runs)', async () => {
    const parked = send(t.port, 'GET', NEXT);
    const res = await t.fake.nextPoll();
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 403, invalidState('Ready', 'InitError'));
    t.api.deliver(res, EVENT);
    await parked;
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 403, invalidState('Running', 'InitError'));
    assert.deepEqual(t.fake.calls, []);
  });

  it('403 the second time', async () => {
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 202, OK);
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 403, invalidState('InitError', 'InitError'));
    assert.equal(t.fake.calls.length, 1);
  });

  it('allowed again for a runtime started anew inside an invocation (init retried after its limit)', async () => {
    await handOut(t);
    t.api.restart();
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 400, INVALID_ID);
    assertJson(await send(t.port, 'POST', `${R}/init/error`, { body: '{}' }), 202, OK);
  });
});

describe('b.1 GET /ping, SnapStart paths, unknown paths and methods', () => {
  it('GET /2018-06-01/ping answers 200 pong', async () => {
    const reply = await send(t.port, 'GET', '/2018-06-01/ping');
    assert.equal(reply.status, 200);
    assert.equal(reply.text, 'pong');
  });

  it('unknown paths are 404 with Go\'s "404 page not found" (SnapStart\'s restore paths are off, as without SnapStart)', async () => {
    for (const p of [
      '/', '/2018-06-01/runtime/unknown', `${R}/invocation/abc`, `${R}/invocation/abc/other`, `${R}/restore/next`,
      `${R}/restore/error`, '/2020-01-01/extension/register', '/runtime/invocation/next',
    ]) {
      const reply = await send(t.port, p.endsWith('error') || p.endsWith('register') ? 'POST' : 'GET', p, { body: '{}' });
      assert.equal(reply.status, 404, p);
      assert.equal(reply.text, '404 page not found\n', p);
      assert.equal(reply.headers['content-type'], 'text/plain; charset=utf-8', p);
    }
    assert.deepEqual(t.fake.calls, []);
  });

  it('a wrong method on a known path is 405 with an Allow header and no body', async () => {
    for (const [method, p, allow] of [
      ['POST', NEXT, 'GET'], ['GET', response('abc'), 'POST'], ['PUT', error('abc'), 'POST'],
      ['DELETE', error('abc'), 'POST'], ['GET', `${R}/init/error`, 'POST'], ['POST', '/2018-06-01/ping', 'GET'],
    ] as const) {
      const reply = await send(t.port, method, p, method === 'GET' ? {} : { body: '{}' });
      assert.equal(reply.status, 405, `${method} ${p}`);
      assert.equal(reply.headers['allow'], allow);
      assert.equal(reply.text, '');
    }
    assert.deepEqual(t.fake.calls, []);
  });

  it('routes on the path alone (a query string is ignored) and decodes a percent-encoded id', async () => {
    await handOut(t, { ...EVENT, requestId: 'a b' });
    assertJson(await send(t.port, 'POST', `${R}/invocation/a%E0%A4%A/response`, { body: '"ok"' }), 400, INVALID_ID);
    assertJson(await send(t.port, 'POST', `${R}/invocation/a%20b/response?x=1`, { body: '"ok"' }), 202, OK);
    assert.deepEqual(t.fake.calls.map((c) => c.kind === 'response' && c.requestId), ['a b']);
  });
});

describe('b.1 state rules', () => {
  it('a reply before any event (during init) names no current invocation: 400', async () => {
    assertJson(await send(t.port, 'POST', response('early'), { body: '1' }), 400, INVALID_ID);
    assertJson(await send(t.port, 'POST', error('early'), { body: '{}' }), 400, INVALID_ID);
  });

  it('an old id once the next event is out: 400, not 403', async () => {
    await handOut(t);
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 202, OK);
    await handOut(t, { ...EVENT, requestId: 'req-2' });
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1' }), 400, INVALID_ID);
    assertJson(await send(t.port, 'POST', response('req-2'), { body: '2' }), 202, OK);
  });

  it('one reply per event over several invocations of one runtime (RIE TestMoreThanOneInvoke)', async () => {
    for (const id of ['A', 'B', 'C']) {
      await handOut(t, { ...EVENT, requestId: id });
      assertJson(await send(t.port, 'POST', response(id), { body: id }), 202, OK);
    }
    assert.deepEqual(t.fake.calls.map((c) => c.kind === 'response' && c.body), ['A', 'B', 'C']);
  });

  it('a reply whose upload breaks off counts as none: the runtime may send it again', async () => {
    await handOut(t);
    const broken = open(t.port, 'POST', response(EVENT.requestId), { 'Content-Length': '10' });
    broken.socket.write('12345');
    const [req] = (await once(t.api.server, 'request')) as [IncomingMessage];
    const closed = new Promise((resolve) => req.once('close', resolve));
    broken.socket.destroy();
    await broken.reply.catch(() => undefined);
    await closed;
    await new Promise((resolve) => setImmediate(resolve));
    assertJson(await send(t.port, 'POST', response(EVENT.requestId), { body: '1234567890' }), 202, OK);
    assert.deepEqual(t.fake.calls.map((c) => c.kind === 'response' && c.body), ['1234567890']);
  });
});
