// Asynchronous invocation end to end: InvocationType Event and the deprecated InvokeAsync answer 202 once the
// event is stored, a background worker runs it through the same path as a synchronous call, function errors
// are retried MaximumRetryAttempts times (delays scaled down by async.retryDelayScale), and the queue's state
// shows in /_nimbus/health.
import { InvokeAsyncCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployRecorder, eventuallyAsync, invokeEvent, seen, startAsyncTestServer } from '../helpers/async.js';
import type { TestServer } from '../helpers/server.js';

describe('async invocation', () => {
  let server: TestServer;
  before(async () => {
    server = await startAsyncTestServer();
    await deployRecorder(server.lambda, 'rec');
  });
  after(async () => {
    await server.stop();
  });

  const health = async (): Promise<{ async: Record<string, unknown> }> => (await (await fetch(`${server.url}/_nimbus/health`)).json()) as { async: Record<string, unknown> };

  it('answers 202 with an empty body and runs the event with the same request id', async () => {
    const res = await fetch(`${server.url}/2015-03-31/functions/rec/invocations`, {
      method: 'POST', headers: { 'X-Amz-Invocation-Type': 'Event' }, body: JSON.stringify({ hello: 'async' }),
    });
    assert.equal(res.status, 202);
    assert.equal(await res.text(), '');
    assert.equal(res.headers.get('x-amz-executed-version'), null);
    const requestId = res.headers.get('x-amzn-requestid');
    assert.ok(requestId !== null);
    assert.ok(await eventuallyAsync(async () => (await seen(server.url, 'rec')).some((s) => s.requestId === requestId)), 'the event ran');
    const run = (await seen(server.url, 'rec')).find((s) => s.requestId === requestId);
    assert.deepEqual(run?.event, { hello: 'async' });
  });

  it('works through the SDK (StatusCode 202) and with a qualifier', async () => {
    const out = await invokeEvent(server.lambda, 'rec', { via: 'sdk' }, '$LATEST');
    assert.equal(out.status, 202);
    assert.ok(await eventuallyAsync(async () => (await seen(server.url, 'rec')).some((s) => s.requestId === out.requestId)));
  });

  it('refuses an unknown function or qualifier as a synchronous invoke does', async () => {
    await assert.rejects(invokeEvent(server.lambda, 'nope', {}), (err: Error) => err.name === 'ResourceNotFoundException' && /function:nope:\$LATEST/.test(err.message));
    await assert.rejects(invokeEvent(server.lambda, 'rec', {}, '7'), (err: Error) => err.name === 'ResourceNotFoundException');
  });

  it('limits an Event payload to 1 MB with AWS\'s 413 (a synchronous invoke of the same size is accepted)', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(1024 * 1024) });
    const res = await fetch(`${server.url}/2015-03-31/functions/rec/invocations`, { method: 'POST', headers: { 'X-Amz-Invocation-Type': 'Event' }, body: big });
    assert.equal(res.status, 413);
    assert.equal(res.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException');
    assert.match(await res.text(), /Request must be smaller than 1048576 bytes for the InvokeFunction operation/);
    const sync = await server.lambda.send(new InvokeCommand({ FunctionName: 'rec', Payload: Buffer.from(big) }));
    assert.equal(sync.StatusCode, 200);
  });

  it('InvokeAsync (deprecated) answers 202 {"Status":202} and runs the event', async () => {
    const out = await server.lambda.send(new InvokeAsyncCommand({ FunctionName: 'rec', InvokeArgs: Buffer.from(JSON.stringify({ legacy: true })) }));
    assert.equal(out.Status, 202);
    assert.ok(await eventuallyAsync(async () => (await seen(server.url, 'rec')).some((s) => s.requestId === out.$metadata.requestId)));
    const raw = await fetch(`${server.url}/2014-11-13/functions/rec/invoke-async/`, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(256 * 1024) }) });
    assert.equal(raw.status, 413);
    assert.match(await raw.text(), /Request must be smaller than 262144 bytes for the InvokeAsync operation/);
  });

  it('retries a function error twice by default (three runs with the same request id), then drops it as RetriesExhausted', async () => {
    const out = await invokeEvent(server.lambda, 'rec', { fail: true, tag: 'default-retries' });
    const runs = async () => (await seen(server.url, 'rec')).filter((s) => s.requestId === out.requestId).length;
    assert.ok(await eventuallyAsync(async () => (await health()).async['droppedReasons'] !== undefined && ((await health()).async['droppedReasons'] as Record<string, number>)['RetriesExhausted'] === 1));
    assert.equal(await runs(), 3);
  });

  it('reports the queue in /_nimbus/health', async () => {
    const h = await health();
    for (const key of ['queued', 'retrying', 'inFlight', 'dropped', 'received', 'delivered']) assert.equal(typeof h.async[key], 'number', key);
    assert.ok((h.async['received'] as number) >= 4);
  });
});
