// Invoke through the SDK and raw HTTP: invocation types, payload limits and errors, client context, the
// context object and environment a function sees, and function logs through the CloudWatch Logs API.
import { DeleteFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

async function rawInvoke(server: TestServer, name: string, body: Buffer | string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body, headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('invoke API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await deployFixture(server.lambda, 'echo', 'echo');
    await deployFixture(server.lambda, 'context', 'ctx', { MemorySize: 256, Environment: { Variables: { USER_COLOR: 'blue', TZ: 'Europe/Paris' } } });
  });
  after(async () => {
    await server.stop();
  });

  it('answers RequestResponse with the handler result and DryRun with 204', async () => {
    const result = await invoke(server.lambda, 'echo', { hello: 'world' });
    assert.equal(result.statusCode, 200);
    assert.equal(result.payloadText, '{"hello":"world"}');
    const dry = await server.lambda.send(new InvokeCommand({ FunctionName: 'echo', InvocationType: 'DryRun' }));
    assert.equal(dry.StatusCode, 204);
    const raw = await rawInvoke(server, 'echo', '{"a":1}', { 'X-Amz-Invocation-Type': 'DryRun' });
    assert.equal(raw.status, 204);
    assert.equal(raw.text, '');
  });

  it('returns null for a handler that returns undefined', async () => {
    await deployFixture(server.lambda, 'void', 'void');
    const result = await invoke(server.lambda, 'void');
    assert.equal(result.payloadText, 'null');
  });

  it('accepts Event invocations with 202 and an empty body (async-invoke.test.ts covers delivery)', async () => {
    const raw = await rawInvoke(server, 'echo', '{}', { 'X-Amz-Invocation-Type': 'Event' });
    assert.equal(raw.status, 202);
    assert.equal(raw.text, '');
  });

  it('refuses a non-JSON payload with InvalidRequestContentException', async () => {
    const raw = await rawInvoke(server, 'echo', 'not json');
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get('x-amzn-errortype'), 'InvalidRequestContentException');
    const body = JSON.parse(raw.text) as { Type: string; message: string };
    assert.equal(body.Type, 'User');
    assert.match(body.message, /^Could not parse request body into json: Could not parse payload into json: /);
  });

  it('refuses a request payload over 6 MB with 413 and accepts one just under it', async () => {
    const over = await rawInvoke(server, 'echo', Buffer.alloc(6 * 1024 * 1024 + 1, 0x20));
    assert.equal(over.status, 413);
    assert.equal(over.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException');
    assert.equal(JSON.parse(over.text).message, 'Request must be smaller than 6291456 bytes for the InvokeFunction operation');
    const big = `"${'x'.repeat(5 * 1024 * 1024)}"`;
    const ok = await rawInvoke(server, 'echo', big);
    assert.equal(ok.status, 200);
    assert.equal(ok.text.length, big.length);
  });

  it('turns a response over 6 MB into Function.ResponseSizeTooLarge and keeps the environment usable', async () => {
    await deployFixture(server.lambda, 'big-response', 'big');
    const tooBig = await invoke(server.lambda, 'big', { size: 6291556 });
    assert.equal(tooBig.functionError, 'Unhandled');
    assert.deepEqual(tooBig.payload, {
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'Function.ResponseSizeTooLarge',
    });
    const fits = await invoke(server.lambda, 'big', { size: 1000 });
    assert.equal(fits.functionError, undefined);
    assert.equal((fits.payload as string).length, 1000);
  });

  it('passes the context, client context and Lambda environment to the function', async () => {
    const clientContext = { custom: { foo: 'bar' }, client: { snap: ['crackle', 'pop'] }, env: { fizz: 'buzz' } };
    const result = await invoke(server.lambda, 'ctx', {}, { ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64') });
    const out = result.payload as Record<string, unknown> & { env: Record<string, string> };
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.equal(out['awsRequestId'], requestId);
    assert.equal(out['functionName'], 'ctx');
    assert.equal(out['functionVersion'], '$LATEST');
    assert.equal(out['invokedFunctionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:ctx');
    assert.equal(out['memoryLimitInMB'], '256');
    assert.equal(out['logGroupName'], '/aws/lambda/ctx');
    assert.match(String(out['logStreamName']), /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.deepEqual(out['clientContext'], clientContext);
    assert.equal(out.env['AWS_LAMBDA_FUNCTION_NAME'], 'ctx');
    assert.equal(out.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'], '256');
    assert.equal(out.env['AWS_EXECUTION_ENV'], 'AWS_Lambda_nodejs20.x');
    assert.equal(out.env['AWS_REGION'], 'us-east-1');
    assert.equal(out.env['AWS_LAMBDA_INITIALIZATION_TYPE'], 'on-demand');
    assert.equal(out.env['_HANDLER'], 'index.handler');
    assert.equal(out.env['USER_COLOR'], 'blue');
    assert.equal(out.env['TZ'], 'Europe/Paris', 'TZ is not reserved: the user may set it');
    assert.match(out.env['_X_AMZN_TRACE_ID'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
  });

  it('passes a multi-line, non-ASCII client context intact', async () => {
    const clientContext = '{"custom":\n{"name":"日本","note":"ü"}}';
    const result = await invoke(server.lambda, 'ctx', {}, { ClientContext: Buffer.from(clientContext).toString('base64') });
    assert.equal(result.functionError, undefined);
    assert.deepEqual((result.payload as { clientContext: unknown }).clientContext, { custom: { name: '日本', note: 'ü' } });
  });

  it('fails an environment that cannot start (NUL in an environment value) cleanly, without leaking', async () => {
    await deployFixture(server.lambda, 'echo', 'nul', { Environment: { Variables: { BROKEN: 'a\u0000b' } } });
    const result = await invoke(server.lambda, 'nul');
    assert.equal(result.functionError, 'Unhandled');
    assert.equal((result.payload as { errorType: string }).errorType, 'Sandbox.Failure');
    const health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as { environments: { busy: number } };
    assert.equal(health.environments.busy, 0);
  });

  it('lets an invocation that is running finish when its function is deleted', async () => {
    const slow = `exports.handler = async () => { await new Promise((r) => setTimeout(r, 400)); return 'finished'; };`;
    await deployFixture(server.lambda, 'echo', 'doomed', { Code: { ZipFile: await makeZip({ 'index.js': slow }) } });
    const running = invoke(server.lambda, 'doomed');
    await new Promise((r) => setTimeout(r, 150));
    await server.lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed' }));
    const result = await running;
    assert.equal(result.functionError, undefined);
    assert.equal(result.payload, 'finished');
  });

  it('keeps the qualifier in the invoked ARN and reports not-found with :$LATEST as AWS does', async () => {
    const qualified = await invoke(server.lambda, 'ctx', {}, { Qualifier: '$LATEST' });
    assert.equal((qualified.payload as { invokedFunctionArn: string }).invokedFunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:ctx:$LATEST');
    const missing = await rawInvoke(server, 'nope', '{}');
    assert.equal(missing.status, 404);
    assert.deepEqual(JSON.parse(missing.text), { Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope:$LATEST' });
  });

  it('attributes every line of a chatty invocation to it: nothing lands after its REPORT or in the next tail', async () => {
    const chatty = `exports.handler = async (e) => { const pad = 'y'.repeat(1000); for (let i = 0; i < e.lines; i++) console.log('line ' + i + ' ' + pad); return 'done'; };`;
    await deployFixture(server.lambda, 'echo', 'chatty', { Code: { ZipFile: await makeZip({ 'index.js': chatty }) } });
    const first = await invoke(server.lambda, 'chatty', { lines: 3000 });
    assert.match(first.log, /\tINFO\tline 2999 y+\nEND RequestId: /, 'the last line precedes END in the tail');
    const second = await invoke(server.lambda, 'chatty', { lines: 0 });
    assert.match(second.log, /^START RequestId: /, 'the next tail starts with its own START');
    assert.doesNotMatch(second.log, /line \d+ /);
  });

  it('stores function logs under /aws/lambda/<name>, readable through the CloudWatch Logs API', async () => {
    await deployFixture(server.lambda, 'logs', 'logger');
    const result = await invoke(server.lambda, 'logger');
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1] ?? '';
    assert.match(result.log, new RegExp(`\\t${requestId}\\tINFO\\tline one\\rline two\\rline three\\n`), 'a multi-line message stays one event');
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'Logs_20140328.FilterLogEvents' },
      body: JSON.stringify({ logGroupName: '/aws/lambda/logger' }),
    });
    const body = (await res.json()) as { events: Array<{ message: string; logStreamName: string }> };
    const messages = body.events.map((e) => e.message);
    assert.ok(messages[0]?.startsWith('INIT_START Runtime Version: nodejs:20.'), 'INIT_START opens the stream');
    assert.ok(messages.includes(`START RequestId: ${requestId} Version: $LATEST`));
    assert.ok(messages.includes(`END RequestId: ${requestId}`));
    assert.ok(messages.some((m) => m.startsWith(`REPORT RequestId: ${requestId}\t`)));
    assert.ok(messages.some((m) => m.endsWith('\tWARN\tcareful')));
    assert.match(body.events[0]?.logStreamName ?? '', /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});
