/**
 * HTTP client for the Lambda Runtime API 2018-06-01 (spec lambda-wire.md b.1) at `$AWS_LAMBDA_RUNTIME_API`.
 * The per-invocation exchanges (/next, /response, /error) go over one lean kept-alive connection
 * (runtime-connection.ts). The rest uses node:http with a keep-alive agent: streamed responses, the init error,
 * and any call made while that connection is busy. fetch is not used: its lazy undici load costs ~18 ms of
 * cold start.
 * Owns transport only: callers decide what to send and what a failure means.
 */
import { Agent, type ClientRequest, request, type IncomingHttpHeaders } from 'node:http';
import type { RapidErrorResponse } from './errors.js';
import { ConnectionError, RuntimeConnection } from './runtime-connection.js';

const BASE = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

export interface NextInvocation {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
}

interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** The Runtime API could not be reached or refused to hand out work; the process must exit. */
export class RuntimeApiUnavailable extends Error {
  override readonly name = 'RuntimeApiUnavailable';

  /** True when a reused keep-alive socket was reset before the server could have read the request. */
  readonly retryable: boolean;

  constructor(message: string, retryable = false) {
    super(message);
    this.retryable = retryable;
  }
}

export class RuntimeApiClient {
  readonly #hostname: string;
  readonly #port: number;
  // No maxSockets cap: a crash report must not queue behind a pending long-poll `/next`.
  readonly #agent = new Agent({ keepAlive: true });
  readonly #connection: RuntimeConnection;

  constructor(hostPort: string) {
    const colon = hostPort.lastIndexOf(':');
    this.#hostname = colon < 0 ? hostPort : hostPort.slice(0, colon);
    this.#port = colon < 0 ? 80 : Number(hostPort.slice(colon + 1));
    this.#connection = new RuntimeConnection(this.#hostname, this.#port);
  }

  /** Long-polls without a timeout. Rejects with RuntimeApiUnavailable on a transport error or a non-200. */
  async next(): Promise<NextInvocation> {
    const reply = await this.#send('GET', `${BASE}/invocation/next`);
    if (reply.status !== 200) {
      throw new RuntimeApiUnavailable(`GET /invocation/next returned ${reply.status}: ${reply.body.toString('utf8')}`);
    }
    return { body: reply.body.toString('utf8'), headers: reply.headers };
  }

  /** GET /2018-06-01/ping: opens the keep-alive connection (and loads what a first request needs) ahead of use. */
  async ping(): Promise<void> {
    await this.#send('GET', '/2018-06-01/ping');
  }

  /** Resolves with the HTTP status (202 when accepted); the platform's verdict on late or oversize replies is its own. */
  async postResponse(requestId: string, body: string): Promise<number> {
    const reply = await this.#send('POST', `${BASE}/invocation/${encodeURIComponent(requestId)}/response`, body);
    return reply.status;
  }

  /**
   * Opens a streamed POST /response: the request is the handler's stream; `done` resolves with the platform's
   * status once the stream has ended and been answered, and rejects when the connection fails.
   */
  openResponseStream(requestId: string, headers: Record<string, string>): { request: ClientRequest; done: Promise<number> } {
    let req: ClientRequest | undefined;
    const done = new Promise<number>((resolve, reject) => {
      req = request(
        { hostname: this.#hostname, port: this.#port, method: 'POST', path: `${BASE}/invocation/${encodeURIComponent(requestId)}/response`, headers, agent: this.#agent },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', (err) => reject(new RuntimeApiUnavailable(`POST /response (streamed): ${err.message}`)));
        },
      );
      req.on('error', (err) => reject(new RuntimeApiUnavailable(`POST /response (streamed): ${err.message}`)));
    });
    return { request: req as unknown as ClientRequest, done };
  }

  /** Like the RIC, invocation errors carry no error-type header; the type is in the body. */
  async postError(requestId: string, error: RapidErrorResponse): Promise<number> {
    const reply = await this.#send('POST', `${BASE}/invocation/${encodeURIComponent(requestId)}/error`, JSON.stringify(error));
    return reply.status;
  }

  async postInitError(error: RapidErrorResponse): Promise<number> {
    const reply = await this.#send('POST', `${BASE}/init/error`, JSON.stringify(error), { [ERROR_TYPE_HEADER]: error.errorType });
    return reply.status;
  }

  async #send(method: string, path: string, body?: string, extra?: Record<string, string>): Promise<HttpReply> {
    // Extra headers (the init error's type) are validated by node:http; a call made while /next waits needs a second socket.
    const attempt = extra === undefined && !this.#connection.busy ? this.#exchange.bind(this) : this.#attempt.bind(this);
    try {
      return await attempt(method, path, body, extra);
    } catch (err) {
      // The server may close an idle keep-alive socket just as we reuse it; the request never reached it.
      if (!(err instanceof RuntimeApiUnavailable && err.retryable)) throw err;
      return attempt(method, path, body, extra);
    }
  }

  /** One exchange over the lean connection, failing as #attempt does. */
  async #exchange(method: string, path: string, body?: string): Promise<HttpReply> {
    try {
      return await this.#connection.request(method, path, body === undefined ? {} : { 'Content-Type': 'application/json' }, body);
    } catch (err) {
      if (!(err instanceof ConnectionError)) throw err;
      const retryable = err.reused && err.beforeResponse && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
      throw new RuntimeApiUnavailable(`${method} ${path}: ${err.message}`, retryable);
    }
  }

  #attempt(method: string, path: string, body?: string, extra?: Record<string, string>): Promise<HttpReply> {
    const headers: Record<string, string | number> = { ...extra };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body, 'utf8');
    }
    return new Promise((resolve, reject) => {
      const req = request({ hostname: this.#hostname, port: this.#port, method, path, headers, agent: this.#agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(new RuntimeApiUnavailable(`${method} ${path}: ${err.message}`)));
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const retryable = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        reject(new RuntimeApiUnavailable(`${method} ${path}: ${err.message}`, retryable));
      });
      req.end(body);
    });
  }
}
