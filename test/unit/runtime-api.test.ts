// Unit tests for engine/runtime-api.ts: the Runtime API 2018-06-01 HTTP surface, driven over real loopback HTTP
// (127.0.0.1, port 0) against a fake RuntimeApiHandlers. Covers routing, reply bodies, chunked bodies with
// trailers, the response size cap and the /next long poll (answered by the fake when the test decides).
import assert from 'node:assert/strict';
import http, { type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createRuntimeApiServer, MAX_RESPONSE_BYTES, type RuntimeApiHandlers, type RuntimeReply } from '../../src/engine/runtime-api.js';

type Call =
  | { kind: 'response'; requestId: string; body: Buffer; contentType: string }
  | { kind: 'error'; requestId: string; body: Buffer; errorType: string | undefined }
  | { kind: 'initError'; body: Buffer; errorType: string | undefined }
  | { kind: 'responseTooLarge'; requestId: string };

class FakeHandlers implements RuntimeApiHandlers {
  calls: Call[] = [];
  reply: RuntimeReply = 'accepted';
  tooLargeReply: RuntimeReply = 'accepted';
  private waiting: Array<(res: ServerResponse) => void> = [];

  /** Resolves with the `res` of the next GET /next that reaches the handler. */
  nextPoll(): Promise<ServerResponse> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  next(res: ServerResponse): void {
    const waiter = this.waiting.shift();
    assert.ok(waiter, 'unexpected /next');
    waiter(res);
  }

  response(requestId: string, body: Buffer, contentType: string): RuntimeReply {
    this.calls.push({ kind: 'response', requestId, body, contentType });
    return this.reply;
  }

  error(requestId: string, body: Buffer, errorType: string | undefined): RuntimeReply {
    this.calls.push({ kind: 'error', requestId, body, errorType });
    return this.reply;
  }

  initError(body: Buffer, errorType: string | undefined): RuntimeReply {
    this.calls.push({ kind: 'initError', body, errorType });
    return this.reply;
  }

  responseTooLarge(requestId: string): RuntimeReply {
    this.calls.push({ kind: 'responseTooLarge', requestId });
    return this.tooLargeReply;
  }
}

interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

interface RequestOptions {
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Sent as separate chunks with `Transfer-Encoding: chunked`. */
  readonly chunks?: ReadonlyArray<Buffer | string>;
  readonly trailers?: Record<string, string>;
}

const fake = new FakeHandlers();
let server: Server;
let port: number;

before(async () => {
  server = createRuntimeApiServer(fake);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  fake.calls = [];
  fake.reply = 'accepted';
  fake.tooLargeReply = 'accepted';
});

function send(method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.chunks !== undefined) {
      headers['Transfer-Encoding'] = 'chunked';
      if (opts.trailers !== undefined) headers['Trailer'] = Object.keys(opts.trailers).join(', ');
    } else if (opts.body !== undefined) {
      headers['Content-Length'] = String(Buffer.byteLength(opts.body));
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.chunks !== undefined) {
      for (const c of opts.chunks) req.write(c);
      if (opts.trailers !== undefined) req.addTrailers(opts.trailers);
      req.end();
    } else {
      req.end(opts.body);
    }
  });
}

function assertJson(reply: Reply, status: number, body: unknown): void {
  assert.equal(reply.status, status);
  assert.match(String(reply.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(reply.text), body);
}

const OK = { status: 'OK' };
const INVALID_ID = { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' };
const INVALID_STATE = { errorType: 'InvalidStateTransition', errorMessage: 'State transition is not allowed' };
const R = '/2018-06-01/runtime';

describe('Runtime API: routing', () => {
  it('unknown paths are 404', async () => {
    for (const p of ['/', '/2018-06-01/runtime/unknown', `${R}/invocation/abc`, `${R}/invocation/abc/other`, '/2020-01-01/extension/register']) {
      const reply = await send('GET', p);
      assert.equal(reply.status, 404, p);
      assert.match(String(reply.headers['content-type']), /^application\/json/);
    }
    assert.deepEqual(fake.calls, []);
  });

  it('wrong methods on known paths are 405', async () => {
    for (const [method, p] of [
      ['POST', `${R}/invocation/next`],
      ['GET', `${R}/invocation/abc/response`],
      ['PUT', `${R}/invocation/abc/error`],
      ['GET', `${R}/init/error`],
    ] as const) {
      const reply = await send(method, p, method === 'GET' ? {} : { body: '{}' });
      assert.equal(reply.status, 405, `${method} ${p}`);
    }
    assert.deepEqual(fake.calls, []);
  });

  it('GET /2018-06-01/ping answers 200', async () => {
    assertJson(await send('GET', '/2018-06-01/ping'), 200, OK);
  });

  it('ignores the query string when routing', async () => {
    assertJson(await send('POST', `${R}/invocation/r-1/response?x=1`, { body: '"ok"' }), 202, OK);
    assert.equal(fake.calls[0]?.kind, 'response');
  });
});

describe('Runtime API: /invocation/{id}/response', () => {
  it('passes id, body and content type to the handler and answers 202 {"status":"OK"}', async () => {
    const reply = await send('POST', `${R}/invocation/7f9a-1/response`, { body: '{"hello":"world"}', headers: { 'Content-Type': 'text/plain' } });
    assertJson(reply, 202, OK);
    assert.equal(reply.text, '{"status":"OK"}');
    assert.equal(fake.calls.length, 1);
    const call = fake.calls[0];
    assert.ok(call?.kind === 'response');
    assert.equal(call.requestId, '7f9a-1');
    assert.equal(call.body.toString(), '{"hello":"world"}');
    assert.equal(call.contentType, 'text/plain');
  });

  it('defaults the content type to application/json and accepts an empty body', async () => {
    await send('POST', `${R}/invocation/r/response`);
    const call = fake.calls[0];
    assert.ok(call?.kind === 'response');
    assert.equal(call.contentType, 'application/json');
    assert.equal(call.body.length, 0);
  });

  it('decodes a percent-encoded request id', async () => {
    await send('POST', `${R}/invocation/a%20b/response`, { body: 'x' });
    assert.equal((fake.calls[0] as { requestId: string }).requestId, 'a b');
  });

  it('400 InvalidRequestID when the handler does not know the id', async () => {
    fake.reply = 'invalid-request-id';
    assertJson(await send('POST', `${R}/invocation/old/response`, { body: '1' }), 400, INVALID_ID);
  });

  it('403 InvalidStateTransition when the handler refuses the transition', async () => {
    fake.reply = 'invalid-state';
    assertJson(await send('POST', `${R}/invocation/r/response`, { body: '1' }), 403, INVALID_STATE);
  });

  it('reassembles a chunked body', async () => {
    const reply = await send('POST', `${R}/invocation/r/response`, { chunks: ['{"a":', '1', '}'] });
    assertJson(reply, 202, OK);
    assert.equal((fake.calls[0] as { body: Buffer }).body.toString(), '{"a":1}');
  });

  it('accepts a chunked body with trailers (aws-lambda-go declares error trailers even on success)', async () => {
    const reply = await send('POST', `${R}/invocation/r/response`, {
      chunks: ['"ok"'],
      trailers: { 'Lambda-Runtime-Function-Error-Type': '', 'Lambda-Runtime-Function-Error-Body': '' },
    });
    assertJson(reply, 202, OK);
    assert.equal((fake.calls[0] as { body: Buffer }).body.toString(), '"ok"');
  });
});

describe('Runtime API: response size limit', () => {
  it('is 6291556 bytes (6 MiB + 100)', () => {
    assert.equal(MAX_RESPONSE_BYTES, 6_291_556);
  });

  it('accepts a response of exactly the limit', async () => {
    const reply = await send('POST', `${R}/invocation/r/response`, { body: Buffer.alloc(MAX_RESPONSE_BYTES, 0x61) });
    assertJson(reply, 202, OK);
    assert.equal(fake.calls.length, 1);
    const call = fake.calls[0];
    assert.ok(call?.kind === 'response');
    assert.equal(call.body.length, MAX_RESPONSE_BYTES);
  });

  it('one byte more: 413 RequestEntityTooLarge and responseTooLarge(id), never response()', async () => {
    const reply = await send('POST', `${R}/invocation/big-1/response`, { body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61) });
    assert.equal(reply.status, 413);
    assert.equal(reply.text, '{"errorType":"RequestEntityTooLarge","errorMessage":"Exceeded maximum allowed payload size (6291556 bytes)."}');
    assert.deepEqual(fake.calls, [{ kind: 'responseTooLarge', requestId: 'big-1' }]);
  });

  it('applies to chunked bodies too', async () => {
    const half = Buffer.alloc(Math.ceil((MAX_RESPONSE_BYTES + 1) / 2), 0x62);
    const reply = await send('POST', `${R}/invocation/big-2/response`, { chunks: [half, half] });
    assertJson(reply, 413, { errorType: 'RequestEntityTooLarge', errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).' });
    assert.deepEqual(fake.calls, [{ kind: 'responseTooLarge', requestId: 'big-2' }]);
  });

  it('an oversized response for an unknown id gets the handler\'s reply instead', async () => {
    fake.tooLargeReply = 'invalid-request-id';
    assertJson(await send('POST', `${R}/invocation/stale/response`, { body: Buffer.alloc(MAX_RESPONSE_BYTES + 1) }), 400, INVALID_ID);
  });
});

describe('Runtime API: /invocation/{id}/error and /init/error', () => {
  it('error: body and no error type when the header is absent (the Node RIC sends none)', async () => {
    const body = '{"errorType":"Error","errorMessage":"boom","trace":[]}';
    assertJson(await send('POST', `${R}/invocation/r/error`, { body }), 202, OK);
    assert.deepEqual(fake.calls, [{ kind: 'error', requestId: 'r', body: Buffer.from(body), errorType: undefined }]);
  });

  it('error: type from the Lambda-Runtime-Function-Error-Type header', async () => {
    await send('POST', `${R}/invocation/r/error`, { body: '{}', headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.UserCodeSyntaxError' } });
    assert.equal((fake.calls[0] as { errorType?: string }).errorType, 'Runtime.UserCodeSyntaxError');
  });

  it('error: type from a trailer of a chunked body', async () => {
    const reply = await send('POST', `${R}/invocation/r/error`, {
      chunks: ['{"errorMessage":', '"x"}'],
      trailers: { 'Lambda-Runtime-Function-Error-Type': 'Function.Streamed' },
    });
    assertJson(reply, 202, OK);
    assert.deepEqual(fake.calls, [{ kind: 'error', requestId: 'r', body: Buffer.from('{"errorMessage":"x"}'), errorType: 'Function.Streamed' }]);
  });

  it('error: an empty header counts as absent', async () => {
    await send('POST', `${R}/invocation/r/error`, { body: '{}', headers: { 'Lambda-Runtime-Function-Error-Type': '' } });
    assert.equal((fake.calls[0] as { errorType?: string }).errorType, undefined);
  });

  it('error: 400 / 403 replies from the handler', async () => {
    fake.reply = 'invalid-request-id';
    assertJson(await send('POST', `${R}/invocation/r/error`, { body: '{}' }), 400, INVALID_ID);
    fake.reply = 'invalid-state';
    assertJson(await send('POST', `${R}/invocation/r/error`, { body: '{}' }), 403, INVALID_STATE);
  });

  it('init/error: body and error type', async () => {
    const body = '{"errorType":"Runtime.ImportModuleError","errorMessage":"Cannot find module"}';
    const reply = await send('POST', `${R}/init/error`, { body, headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.ImportModuleError' } });
    assertJson(reply, 202, OK);
    assert.deepEqual(fake.calls, [{ kind: 'initError', body: Buffer.from(body), errorType: 'Runtime.ImportModuleError' }]);
  });

  it('init/error: 403 after the first /next (as the handler decides)', async () => {
    fake.reply = 'invalid-state';
    assertJson(await send('POST', `${R}/init/error`, { body: '{}' }), 403, INVALID_STATE);
  });
});

describe('Runtime API: /invocation/next long poll', () => {
  it('hands the response to the handler and stays open until the handler answers', async () => {
    const polled = fake.nextPoll();
    let settled = false;
    const client = send('GET', `${R}/invocation/next`).then((r) => {
      settled = true;
      return r;
    });
    const res = await polled;
    assert.equal(settled, false, 'the runtime is still waiting');
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': 'req-42',
      'Lambda-Runtime-Deadline-Ms': '1700000003000',
    });
    res.end('{"event":1}');
    const reply = await client;
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['lambda-runtime-aws-request-id'], 'req-42');
    assert.equal(reply.headers['lambda-runtime-deadline-ms'], '1700000003000');
    assert.equal(reply.text, '{"event":1}');
    assert.deepEqual(fake.calls, []);
  });

  it('the server has no request, header or keep-alive timeouts that would cut the long poll', () => {
    assert.equal(server.requestTimeout, 0);
    assert.equal(server.headersTimeout, 0);
    assert.equal(server.keepAliveTimeout, 0);
    assert.equal(server.timeout, 0);
  });
});
