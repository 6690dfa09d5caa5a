// A real RuntimeApi listener on 127.0.0.1:0 behind fake environment handlers, and an HTTP/1.1 client written
// over a raw net.Socket, so tests control framing byte for byte: Content-Length or Transfer-Encoding: chunked,
// trailers, bodies that stop half-way. Every request says `Connection: close`; a reply is read until its
// Content-Length is complete (or the server closes).
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { RuntimeApi, type RuntimeApiHandlers, type RuntimeError, type RuntimeEvent, type RuntimeReply } from '../../src/engine/runtime-api.js';
import type { ResponseStreamSink } from '../../src/model/response-stream.js';
import { StreamedReply } from '../../src/engine/streamed-reply.js';

export type Call =
  | { kind: 'response'; requestId: string; body: string; contentType: string }
  | { kind: 'error'; requestId: string; errorType: string; payload: string }
  | { kind: 'initError'; errorType: string; payload: string };

export class FakeHandlers implements RuntimeApiHandlers {
  readonly calls: Call[] = [];
  /** What the environment answers to every reply. */
  verdict: RuntimeReply = 'accepted';
  /** Set to make a handler throw (a bug in the environment). */
  failWith: Error | undefined;
  /** The caller's sink for streamed responses; without one they are buffered, as for a plain Invoke. */
  sink: ResponseStreamSink | undefined;
  private readonly waiting: Array<(res: ServerResponse) => void> = [];

  /** Resolves with the `res` of the next GET /next that reaches the handler. */
  nextPoll(): Promise<ServerResponse> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  next(res: ServerResponse): void {
    if (this.failWith) throw this.failWith;
    const waiter = this.waiting.shift();
    assert.ok(waiter, 'unexpected /next');
    waiter(res);
  }

  response(requestId: string, body: Buffer, contentType: string): RuntimeReply {
    if (this.failWith) throw this.failWith;
    this.calls.push({ kind: 'response', requestId, body: body.toString('latin1'), contentType });
    return this.verdict;
  }

  streamResponse(requestId: string, contentType: string): StreamedReply | 'refused' {
    if (this.verdict === 'refused') return 'refused';
    this.sink?.start({ contentType, executedVersion: '$LATEST' });
    return new StreamedReply(this.sink, contentType, () => true, (end) =>
      end.kind === 'ok' ? this.response(requestId, end.payload, end.contentType) : this.error(requestId, end));
  }

  error(requestId: string, e: RuntimeError): RuntimeReply {
    this.calls.push({ kind: 'error', requestId, errorType: e.errorType, payload: e.payload.toString('utf8') });
    return this.verdict;
  }

  initError(e: RuntimeError): RuntimeReply {
    this.calls.push({ kind: 'initError', errorType: e.errorType, payload: e.payload.toString('utf8') });
    return this.verdict;
  }
}

export interface Reply {
  readonly status: number;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
}

export interface RequestOptions {
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent with Content-Length. */
  readonly body?: Buffer | string;
  /** Sent with Transfer-Encoding: chunked, one chunk each. */
  readonly chunks?: ReadonlyArray<Buffer | string>;
  /** After the last chunk (a `Trailer:` header declares them). */
  readonly trailers?: Readonly<Record<string, string>>;
}

export interface TestApi {
  readonly api: RuntimeApi;
  readonly fake: FakeHandlers;
  readonly port: number;
  close(): Promise<void>;
}

export async function startApi(): Promise<TestApi> {
  const fake = new FakeHandlers();
  const api = new RuntimeApi(fake);
  await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  const { port } = api.server.address() as AddressInfo;
  return {
    api, fake, port,
    async close() {
      api.server.closeAllConnections();
      await new Promise<void>((resolve) => api.server.close(() => resolve()));
    },
  };
}

function readReply(socket: Socket): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0);
    let done = false;
    const tryParse = (ended: boolean) => {
      const end = data.indexOf('\r\n\r\n');
      if (done || end < 0) return;
      const [statusLine = '', ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = data.subarray(end + 4);
      const length = headers['content-length'];
      if (length === undefined ? !ended : body.length < Number(length)) return;
      done = true;
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: body.subarray(0, length === undefined ? undefined : Number(length)).toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      tryParse(false);
    });
    socket.on('close', () => {
      tryParse(true);
      if (!done) reject(new Error(`connection closed without a complete reply: ${JSON.stringify(data.toString('latin1'))}`));
    });
    // The server may answer (413) and close before it has read everything: the reply is what counts.
    socket.on('error', (err) => {
      if (!done) reject(err);
    });
  });
}

/** An open request: its head is sent; the test writes (or withholds) the rest. */
export interface OpenRequest {
  readonly socket: Socket;
  readonly reply: Promise<Reply>;
}

export function open(port: number, method: string, path: string, headers: Readonly<Record<string, string>>): OpenRequest {
  const socket = connect(port, '127.0.0.1');
  const reply = readReply(socket);
  const head = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  return { socket, reply };
}

export function chunk(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

export function lastChunk(trailers: Readonly<Record<string, string>> = {}): string {
  return `0\r\n${Object.entries(trailers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

export function send(port: number, method: string, path: string, opts: RequestOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.chunks !== undefined) {
    headers['Transfer-Encoding'] = 'chunked';
    if (opts.trailers !== undefined) headers['Trailer'] = Object.keys(opts.trailers).join(', ');
  } else if (opts.body !== undefined) {
    headers['Content-Length'] = String(Buffer.byteLength(opts.body));
  }
  const req = open(port, method, path, headers);
  if (opts.chunks !== undefined) {
    for (const c of opts.chunks) req.socket.write(chunk(c));
    req.socket.write(lastChunk(opts.trailers));
  } else if (opts.body !== undefined) {
    req.socket.write(opts.body);
  }
  return req.reply;
}

export function assertJson(reply: Reply, status: number, body: unknown): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(reply.text), body);
}

export const R = '/2018-06-01/runtime';
export const OK = { status: 'OK' };
export const INVALID_ID = { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' };

export function invalidState(from: string, to: string): unknown {
  return { errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`, errorType: 'InvalidStateTransition' };
}

export const EVENT: RuntimeEvent = {
  requestId: '8476a536-e9f4-11e8-9739-2dfe598c3fcd',
  payload: Buffer.from('{"hello":"world"}'),
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST',
  traceId: 'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1',
  deadlineMs: 1542409706888,
};

/** The runtime asks for work and the environment hands it `event`: resolves with what the runtime received. */
export async function handOut(t: TestApi, event: RuntimeEvent = EVENT): Promise<Reply> {
  const received = send(t.port, 'GET', `${R}/invocation/next`);
  t.api.deliver(await t.fake.nextPoll(), event);
  return received;
}
