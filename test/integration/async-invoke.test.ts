// Asynchronous invocation end to end: InvocationType Event and the deprecated InvokeAsync answer 202 once the
// event is stored, a background worker runs it through the same path as a synchronous call, function errors
// are retried MaximumRetryAttempts times (delays scaled down by async.retryDelayScale), and the queue's state
// shows in /_nimbus/health.
import {
  GetFunctionCommand, InvokeAsyncCommand, InvokeCommand, PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { deployRecorder, eventuallyAsync, invokeEvent, seen, startAsyncTestServer } from '../helpers/async.js';
import { recorded, SnapshotNormaliser } from '../helpers/snapshots.js';
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

  it('reports the queue in /_nimbus/health and `nimbus queue`', async () => {
    const h = await health();
    for (const key of ['queued', 'retrying', 'inFlight', 'dropped', 'received', 'delivered', 'oldestEventAgeSec']) assert.equal(typeof h.async[key], 'number', key);
    assert.ok((h.async['received'] as number) >= 4);
    const env = { ...process.env };
    delete env['NODE_EXTRA_CA_CERTS'];
    const cli = await promisify(execFile)(process.execPath, ['dist/src/cli/main.js', 'queue', '--endpoint', server.url], { env });
    assert.match(cli.stdout, /^dropped +│? *1 +│? *RetriesExhausted 1$/m);
    assert.match(cli.stdout, new RegExp(`^received +│? *${String(h.async['received'])} `, 'm'));
  });
});

describe('async destinations and event invoke config', () => {
  let server: TestServer;
  before(async () => {
    server = await startAsyncTestServer();
    await deployRecorder(server.lambda, 'src');
    await deployRecorder(server.lambda, 'dest');
    const dest = (await server.lambda.send(new GetFunctionCommand({ FunctionName: 'dest' }))).Configuration?.FunctionArn;
    await server.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'src', MaximumRetryAttempts: 1, DestinationConfig: { OnSuccess: { Destination: dest }, OnFailure: { Destination: dest } },
    }));
  });
  after(async () => {
    await server.stop();
  });

  type Record = { version: string; timestamp: string; requestContext: { requestId: string; functionArn: string; condition: string; approximateInvokeCount: number };
    requestPayload: unknown; responseContext: { statusCode: number; executedVersion: string; functionError?: string }; responsePayload: unknown };
  const recordFor = async (requestId: string | undefined): Promise<Record | undefined> => {
    const found = (await seen(server.url, 'dest')).map((s) => s.event as Record).find((r) => r.requestContext?.requestId === requestId);
    return found;
  };

  it('sends an OnSuccess invocation record to the destination function', async () => {
    const out = await invokeEvent(server.lambda, 'src', { n: 1 });
    assert.ok(await eventuallyAsync(async () => (await recordFor(out.requestId)) !== undefined), 'the destination got the record');
    const record = await recordFor(out.requestId);
    assert.equal(record?.version, '1.0');
    assert.match(record?.timestamp ?? '', /^\d{4}-\d\d-\d\dT/);
    assert.deepEqual(record?.requestContext, { requestId: out.requestId, functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:src:$LATEST', condition: 'Success', approximateInvokeCount: 1 });
    assert.deepEqual(record?.requestPayload, { n: 1 });
    assert.deepEqual(record?.responseContext, { statusCode: 200, executedVersion: '$LATEST' });
    assert.deepEqual(record?.responsePayload, { echoed: { n: 1 } });
  });

  it('retries per MaximumRetryAttempts (1: two runs) and then sends a RetriesExhausted record OnFailure', async () => {
    const out = await invokeEvent(server.lambda, 'src', { fail: true });
    assert.ok(await eventuallyAsync(async () => (await recordFor(out.requestId)) !== undefined), 'the destination got the record');
    const record = await recordFor(out.requestId);
    assert.equal(record?.requestContext.condition, 'RetriesExhausted');
    assert.equal(record?.requestContext.approximateInvokeCount, 2);
    assert.deepEqual(record?.responseContext, { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' });
    assert.equal((record?.responsePayload as { errorMessage?: string }).errorMessage, 'asked to fail');
    assert.equal((await seen(server.url, 'src')).filter((s) => s.requestId === out.requestId).length, 2);
  });

  it('retries a throttled event (its reserved concurrency is busy) instead of dropping it, and delivers it once admitted', async () => {
    await deployRecorder(server.lambda, 'throttled');
    await server.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'throttled', ReservedConcurrentExecutions: 1 }));
    const state = async () => ((await (await fetch(`${server.url}/_nimbus/health`)).json()) as { async: { retrying: number; inFlight: number; dropped: number } }).async;
    const droppedBefore = (await state()).dropped;
    // A synchronous call holds the only slot; the event's first attempts are throttled.
    const holder = server.lambda.send(new InvokeCommand({ FunctionName: 'throttled', Payload: Buffer.from(JSON.stringify({ sleepMs: 1500 })) }));
    assert.ok(await eventuallyAsync(async () => (await seen(server.url, 'throttled')).length === 1), 'the holder runs');
    const out = await invokeEvent(server.lambda, 'throttled', { t: 1 });
    assert.equal(out.status, 202);
    assert.ok(await eventuallyAsync(async () => (await state()).retrying >= 1), 'the throttled event waits for a retry');
    await holder;
    assert.ok(await eventuallyAsync(async () => (await seen(server.url, 'throttled')).some((s) => s.requestId === out.requestId)), 'it ran once admitted');
    assert.equal((await state()).dropped, droppedBefore);
  });

  it('sends an event for a function with reserved concurrency 0 straight to OnFailure (test_reserved_concurrency)', async () => {
    await deployRecorder(server.lambda, 'zero');
    const dest = (await server.lambda.send(new GetFunctionCommand({ FunctionName: 'dest' }))).Configuration?.FunctionArn;
    await server.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'zero', ReservedConcurrentExecutions: 0 }));
    await server.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'zero', DestinationConfig: { OnFailure: { Destination: dest } } }));
    const out = await invokeEvent(server.lambda, 'zero', {});
    assert.ok(await eventuallyAsync(async () => (await recordFor(out.requestId)) !== undefined), 'the destination got the record');
    const record = (await recordFor(out.requestId)) as unknown as { [key: string]: unknown };
    const expected = (recorded('test_lambda.py::TestLambdaConcurrency::test_reserved_concurrency')['msg'] as { Body: unknown }).Body;
    const norm = new SnapshotNormaliser({ functionNames: ['zero'], replacements: { [out.requestId ?? '']: '<uuid:2>' } });
    assert.deepEqual(norm.normalise({ ...record, timestamp: 'date' }), expected);
    assert.equal((await seen(server.url, 'zero')).length, 0, 'the function never ran');
  });

  it('refuses queue, topic and bus destinations clearly until those services exist', async () => {
    await assert.rejects(server.lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: 'src', DestinationConfig: { OnFailure: { Destination: 'arn:aws:sqs:us-east-1:000000000000:dlq' } },
    })), (err: Error) => err.name === 'InvalidParameterValueException' && /does not support sqs destinations yet/.test(err.message));
  });
});
