// Response streaming end to end: InvokeWithResponseStream through @aws-sdk/client-lambda against a real server and
// real runtime processes. A chunk is seen by the caller while the function is still running (the function waits
// for the test's go-ahead, which the test gives only once it holds the first chunk: a buffering server would
// deadlock until the function's timeout and fail the assertions). Mid-stream failures, the http-integration
// prelude, a timeout mid-stream, plain Invoke of a streaming function, a non-streaming function streamed, errors
// before the stream.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parsePrelude } from '../../src/model/index.js';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { invokeStream } from '../helpers/stream-invoke.js';

/** An HTTP endpoint the function waits on; it answers once the test opens it. */
function gate(): Promise<{ url: string; open(): void; close(): Promise<void>; server: Server }> {
  let release: () => void = () => {};
  const opened = new Promise<void>((resolve) => (release = resolve));
  const server = createServer((_req, res) => void opened.then(() => res.end('go')));
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    open: release,
    server,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  })));
}

describe('InvokeWithResponseStream', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
    await deployFixture(server.lambda, 'stream', 'streamer', { Timeout: 20 });
    await deployFixture(server.lambda, 'echo', 'plain');
    await deployFixture(server.lambda, 'throw', 'thrower');
    await deployFixture(server.lambda, 'stream', 'short-streamer', { Timeout: 1 });
    await deployFixture(server.lambda, 'provided-stream', 'shell-streamer', { Runtime: 'provided.al2023', Handler: 'none', Timeout: 20 });
  });
  after(async () => {
    await server.stop();
  });

  it('delivers the first chunk while the function is still running, then the rest and InvokeComplete', async () => {
    const g = await gate();
    let firstSeenBeforeRelease: string | undefined;
    try {
      const result = await invokeStream(server.lambda, 'streamer', { mode: 'gate', gate: g.url }, {
        onFirstChunk: (chunk) => {
          firstSeenBeforeRelease = chunk.toString('utf8');
          g.open();
        },
      });
      assert.equal(firstSeenBeforeRelease, 'first chunk;');
      assert.equal(result.statusCode, 200);
      assert.equal(result.executedVersion, '$LATEST');
      assert.equal(result.contentType, 'application/vnd.amazon.eventstream');
      assert.equal(result.body.toString('utf8'), 'first chunk;second chunk');
      assert.ok(result.chunks.length >= 2, 'the two writes arrive as separate PayloadChunk events');
      assert.deepEqual(Object.keys(result.complete ?? {}), ['LogResult']);
      assert.match(result.log, /^START RequestId: \S+ Version: \$LATEST\n/);
      assert.match(result.log, /streaming mode gate/);
      assert.match(result.log, /REPORT RequestId: /);
    } finally {
      await g.close();
    }
  });

  it('a custom runtime streaming with curl (chunked upload from a pipe): the first line arrives before the function ends', async () => {
    const g = await gate();
    let first: string | undefined;
    try {
      const result = await invokeStream(server.lambda, 'shell-streamer', { gate: g.url }, {
        onFirstChunk: (chunk) => {
          first = chunk.toString('utf8');
          g.open();
        },
      });
      assert.equal(first, 'first line\n');
      assert.equal(result.body.toString('utf8'), 'first line\nsecond line\n');
      assert.equal(result.complete?.ErrorCode, undefined);
    } finally {
      await g.close();
    }
  });

  it('a function that throws mid-stream: the chunks it wrote, then InvokeComplete with ErrorCode and ErrorDetails', async () => {
    const result = await invokeStream(server.lambda, 'streamer', { mode: 'throw' });
    assert.equal(result.body.toString('utf8'), 'partial output;');
    assert.equal(result.complete?.ErrorCode, 'Error');
    assert.equal(result.complete?.ErrorDetails, 'failed mid-stream');
    assert.match(result.log, /\tERROR\tInvoke Error \t\{"errorType":"Error","errorMessage":"failed mid-stream"/);
    // The environment survives a handled failure: the next invocation is warm.
    const next = await invokeStream(server.lambda, 'streamer', { mode: 'echo', n: 1 });
    assert.equal(next.body.toString('utf8'), '{"mode":"echo","n":1}');
    assert.doesNotMatch(next.log, /Init Duration/);
  });

  it('a function that times out mid-stream: the chunk it wrote, then InvokeComplete with Sandbox.Timedout; the next call starts fresh', async () => {
    const result = await invokeStream(server.lambda, 'short-streamer', { mode: 'hang' });
    assert.equal(result.body.toString('utf8'), 'before the timeout;');
    assert.equal(result.complete?.ErrorCode, 'Sandbox.Timedout');
    assert.match(result.complete?.ErrorDetails ?? '', /^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/);
    assert.match(result.log, /Status: timeout/);
    const next = await invokeStream(server.lambda, 'short-streamer', { mode: 'echo' });
    assert.equal(next.body.toString('utf8'), '{"mode":"echo"}');
    assert.match(next.log, /Init Duration/);
  });

  it('HttpResponseStream.from: the http-integration prelude (JSON, 8 NUL bytes) ahead of the body, as AWS\'s runtime writes it', async () => {
    const result = await invokeStream(server.lambda, 'streamer', { mode: 'http' });
    const expectedPrelude = JSON.stringify({ statusCode: 201, headers: { 'x-custom': 'yes' }, cookies: ['a=1'] });
    assert.deepEqual(result.body, Buffer.concat([Buffer.from(expectedPrelude), Buffer.alloc(8), Buffer.from('hello world')]));
    const parsed = parsePrelude(result.body);
    assert.equal(parsed.kind, 'complete');
    assert.deepEqual(parsed.kind === 'complete' && parsed.prelude, { statusCode: 201, headers: { 'x-custom': 'yes' }, cookies: ['a=1'] });
    assert.equal(parsed.kind === 'complete' && parsed.body.toString('utf8'), 'hello world');
  });

  it('streams past the 6 MB buffered limit', async () => {
    const size = 7 * 1024 * 1024;
    const result = await invokeStream(server.lambda, 'streamer', { mode: 'big', size });
    assert.equal(result.complete?.ErrorCode, undefined, result.complete?.ErrorDetails);
    assert.equal(result.body.length, size);
    assert.ok(result.body.every((b) => b === 0x78));
  });

  it('a plain Invoke of a streaming function gets the whole response buffered; over 6 MB it is Function.ResponseSizeTooLarge', async () => {
    const small = await invoke(server.lambda, 'streamer', { mode: 'echo', x: 'y' });
    assert.equal(small.functionError, undefined);
    assert.equal(small.payloadText, '{"mode":"echo","x":"y"}');
    const failed = await invoke(server.lambda, 'streamer', { mode: 'throw' });
    assert.equal(failed.functionError, 'Unhandled');
    assert.deepEqual((failed.payload as { errorType: string; errorMessage: string }).errorMessage, 'failed mid-stream');
    const big = await invoke(server.lambda, 'streamer', { mode: 'big', size: 7 * 1024 * 1024 });
    assert.equal(big.functionError, 'Unhandled');
    assert.deepEqual(big.payload, { errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).', errorType: 'Function.ResponseSizeTooLarge' });
  });

  it('a non-async streaming handler is refused by the runtime as on Lambda', async () => {
    const result = await invokeStream(server.lambda, 'streamer', { mode: 'sync' });
    assert.equal(result.complete?.ErrorCode, 'string');
    assert.equal(result.complete?.ErrorDetails, 'Streaming does not support non-async handlers.');
  });

  it('a function that does not stream: its whole response as one PayloadChunk; its error as InvokeComplete', async () => {
    const ok = await invokeStream(server.lambda, 'plain', { a: 1 });
    assert.equal(ok.body.toString('utf8'), '{"a":1}');
    assert.equal(ok.chunks.length, 1);
    assert.equal(ok.complete?.ErrorCode, undefined);
    const failed = await invokeStream(server.lambda, 'thrower', {});
    assert.deepEqual(failed.chunks, []);
    assert.equal(failed.complete?.ErrorCode, 'TypeError');
    assert.equal(failed.complete?.ErrorDetails, 'boom');
  });

  it('errors before the stream are AWS errors; DryRun is 204; Event is not a streaming invocation type', async () => {
    await assert.rejects(invokeStream(server.lambda, 'nope', {}), (err: Error) => err.name === 'ResourceNotFoundException');
    const dry = await invokeStream(server.lambda, 'streamer', {}, { extra: { InvocationType: 'DryRun' } });
    assert.equal(dry.statusCode, 204);
    assert.deepEqual(dry.chunks, []);
    const res = await fetch(`${server.url}/2021-11-15/functions/streamer/response-streaming-invocations`, {
      method: 'POST', headers: { 'X-Amz-Invocation-Type': 'Event' }, body: '{}',
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match(await res.text(), /Member must satisfy enum value set: \[RequestResponse, DryRun\]/);
  });
});
