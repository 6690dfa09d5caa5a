/**
 * One kept-alive connection to the Runtime API that speaks just the HTTP/1.1 the runtime's own exchanges need:
 * a request with an optional body out, then one response in, framed by Content-Length, chunked encoding or
 * the end of the connection. Node's http client cost ~240 µs of every warm invocation on the project's
 * machine, for its agent bookkeeping and its request and response objects. This is the same exchange without
 * them, at ~70 µs. It carries one exchange at a time (`busy`).
 * Between exchanges the socket is unref'd, as node:http's keep-alive agent does. 'beforeExit' then still
 * fires when a handler's own work has run out (context.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A failed exchange. `beforeResponse`: no byte of the response arrived, so the server may never have seen the request. */
export class ConnectionError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly beforeResponse: boolean, readonly reused: boolean) {
    super(message);
  }
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

interface Exchange {
  readonly resolve: (reply: RawReply) => void;
  readonly reject: (err: ConnectionError) => void;
  readonly reused: boolean;
  /** Bytes received and not yet parsed. */
  pending: Buffer;
  received: boolean;
  head: { status: number; headers: IncomingHttpHeaders; chunked: boolean; length: number | undefined } | undefined;
  readonly body: Buffer[];
  bodyBytes: number;
  /** Chunked: bytes left of the current chunk (0: a size line is next; -1: trailers are next). */
  chunkLeft: number;
}

export class RuntimeConnection {
  #socket: Socket | undefined;
  #exchange: Exchange | undefined;
  /** Whether the current socket has completed an exchange (a failure on it may be a server-side idle close). */
  #used = false;

  constructor(private readonly hostname: string, private readonly port: number) {}

  get busy(): boolean {
    return this.#exchange !== undefined;
  }

  /** Sends one request; `body` goes as UTF-8 with its Content-Length. Rejects with ConnectionError. */
  request(method: string, path: string, headers: Readonly<Record<string, string>>, body?: string): Promise<RawReply> {
    let text = `${method} ${path} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) text += `${name}: ${value}\r\n`;
    if (body !== undefined) text += `Content-Length: ${Buffer.byteLength(body, 'utf8')}\r\n`;
    text += `Host: ${this.port === 80 ? this.hostname : `${this.hostname}:${this.port}`}\r\nConnection: keep-alive\r\n\r\n`;
    const socket = this.#socket ?? this.#open();
    return new Promise((resolve, reject) => {
      this.#exchange = {
        resolve, reject, reused: this.#used, pending: Buffer.alloc(0), received: false, head: undefined, body: [], bodyBytes: 0, chunkLeft: 0,
      };
      socket.ref();
      socket.write(body === undefined ? text : text + body, 'utf8');
    });
  }

  #open(): Socket {
    const socket = connect({ host: this.hostname, port: this.port, noDelay: true, keepAlive: true, keepAliveInitialDelay: 1000 });
    this.#socket = socket;
    this.#used = false;
    socket.on('data', (data: Buffer) => this.#onData(socket, data));
    socket.on('error', (err: NodeJS.ErrnoException) => this.#fail(socket, err.message, err.code));
    socket.on('close', () => this.#fail(socket, 'socket hang up', 'ECONNRESET'));
    return socket;
  }

  #fail(socket: Socket, message: string, code: string | undefined): void {
    if (socket !== this.#socket) return;
    this.#socket = undefined;
    socket.destroy();
    const exchange = this.#exchange;
    this.#exchange = undefined;
    if (exchange === undefined) return;
    // A response that ends with the connection is complete at its end.
    if (exchange.head !== undefined && exchange.head.length === undefined && !exchange.head.chunked) return this.#complete(exchange);
    exchange.reject(new ConnectionError(message, code, !exchange.received, exchange.reused));
  }

  #onData(socket: Socket, data: Buffer): void {
    const exchange = this.#exchange;
    // Nothing is expected between exchanges: the connection is out of step, so it is not used again.
    if (exchange === undefined) return this.#fail(socket, 'unexpected data', undefined);
    exchange.received = true;
    exchange.pending = exchange.pending.length === 0 ? data : Buffer.concat([exchange.pending, data]);
    try {
      if (exchange.head === undefined && !this.#readHead(exchange)) return;
      if (this.#readBody(exchange)) this.#finish(socket, exchange);
    } catch (err) {
      this.#fail(socket, err instanceof Error ? err.message : String(err), 'HPE_INVALID');
    }
  }

  /** Parses the status line and headers once they are all in; false while they are not. */
  #readHead(exchange: Exchange): boolean {
    const end = exchange.pending.indexOf(HEAD_END);
    if (end < 0) return false;
    const [statusLine = '', ...lines] = exchange.pending.toString('latin1', 0, end).split('\r\n');
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (status === null) throw new Error('Parse Error: invalid status line');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new Error('Parse Error: invalid header line');
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const code = Number(status[1]);
    // RFC 9112 §6.3: 204 and 304 have no body whatever their headers say.
    const bodiless = code === 204 || code === 304;
    const chunked = !bodiless && /\bchunked\b/i.test(headers['transfer-encoding'] ?? '');
    const length = bodiless ? 0 : chunked || headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (length !== undefined && !Number.isSafeInteger(length)) throw new Error('Parse Error: invalid Content-Length');
    exchange.head = { status: code, headers, chunked, length };
    exchange.pending = exchange.pending.subarray(end + HEAD_END.length);
    return true;
  }

  /** Moves body bytes out of `pending`; true once the body is complete (never for a body that ends with the connection). */
  #readBody(exchange: Exchange): boolean {
    const head = exchange.head;
    if (head === undefined) return false;
    if (!head.chunked) {
      this.#take(exchange, head.length === undefined ? exchange.pending.length : head.length - exchange.bodyBytes);
      return head.length !== undefined && exchange.bodyBytes >= head.length;
    }
    for (;;) {
      if (exchange.chunkLeft > 0) {
        this.#take(exchange, exchange.chunkLeft);
        if (exchange.chunkLeft > 0) return false;
      }
      const eol = exchange.pending.indexOf(CRLF);
      if (eol < 0) return false;
      const line = exchange.pending.toString('latin1', 0, eol);
      exchange.pending = exchange.pending.subarray(eol + CRLF.length);
      if (exchange.chunkLeft < 0) {
        // Trailers: an empty line ends the message.
        if (line === '') return true;
      } else if (line !== '') {
        // A size line (the CRLF after a chunk's data reads as an empty line and is skipped).
        const size = Number.parseInt(line, 16);
        if (!Number.isSafeInteger(size) || size < 0) throw new Error('Parse Error: invalid chunk size');
        exchange.chunkLeft = size === 0 ? -1 : size;
      }
    }
  }

  /** Takes up to `limit` bytes of `pending` as body (also counting them off the current chunk). */
  #take(exchange: Exchange, limit: number): void {
    const n = Math.min(limit, exchange.pending.length);
    if (n <= 0) return;
    exchange.body.push(exchange.pending.subarray(0, n));
    exchange.bodyBytes += n;
    if (exchange.chunkLeft > 0) exchange.chunkLeft -= n;
    exchange.pending = exchange.pending.subarray(n);
  }

  #finish(socket: Socket, exchange: Exchange): void {
    this.#exchange = undefined;
    this.#used = true;
    if (exchange.pending.length > 0 || /\bclose\b/i.test(exchange.head?.headers['connection'] ?? '')) {
      // Bytes past the response, or a server that closes: this connection is done.
      this.#socket = undefined;
      socket.destroy();
    } else {
      socket.unref();
    }
    this.#complete(exchange);
  }

  #complete(exchange: Exchange): void {
    const head = exchange.head;
    if (head === undefined) return;
    exchange.resolve({ status: head.status, headers: head.headers, body: Buffer.concat(exchange.body, exchange.bodyBytes) });
  }
}
