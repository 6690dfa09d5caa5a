// The Runtime API 2018-06-01 of one execution environment (spec/lambda-wire.md b.1), answered as AWS answers it
// (RIE rapi/router.go, rapi/handler/*, core/states.go): routes with Go's 404 and chi's 405, the runtime's state
// machine with its request-id (400) and transition (403) checks, the /next event and its headers, the response
// size cap (413), chunked bodies and trailers on every POST, streamed responses forwarded chunk by chunk. What an accepted call means for an invocation is the
// environment's business (RuntimeApiHandlers); this module never answers /next with a 500.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBoundedBody } from '../shared/http-body.js';
import type { InvokeInput } from './environment-spec.js';
import {
  initErrorReport, INVALID_RESPONSE_MODE, invalidResponseMode, invocationErrorReport, MAX_RESPONSE_BYTES, RESPONSE_TOO_LARGE,
  type RuntimeError, streamedFailure, isStreamedResponse,
} from './runtime-errors.js';
import { type StreamedReply, streamTooLarge, TRUNCATED_RESPONSE } from './streamed-reply.js';

export { MAX_RESPONSE_BYTES, type RuntimeError };

/** The environment's answer to a call the protocol allows: `refused` once the invocation is settled (timeout, stop). */
export type RuntimeReply = 'accepted' | 'refused';

export interface RuntimeApiHandlers {
  /** The runtime asks for work (the first time, init is over); the environment keeps `res` until it has an event. */
  next(res: ServerResponse): void;
  response(requestId: string, body: Buffer, contentType: string): RuntimeReply;
  /** A streamed response begins (`Response-Mode: streaming`): where its chunks go, or refused. */
  streamResponse(requestId: string, contentType: string): StreamedReply | 'refused';
  error(requestId: string, error: RuntimeError): RuntimeReply;
  initError(error: RuntimeError): RuntimeReply;
}

/** One invocation as the runtime receives it from /next. */
export interface RuntimeEvent extends InvokeInput {
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** The runtime's states as RIE names them; the names appear in 403 messages. */
type RuntimeState =
  | 'Started' | 'InitError' | 'Ready' | 'Running' | 'InvocationResponse' | 'InvocationErrorResponse' | 'RuntimeResponseSentState';

type Route =
  | { kind: 'ping'; method: 'GET' }
  | { kind: 'next'; method: 'GET' }
  | { kind: 'init-error'; method: 'POST' }
  | { kind: 'response' | 'error'; method: 'POST'; requestId: string };

/** Go's default header limit: a 64 KiB X-Ray cause or a streamed error-body trailer must get through (Node's is 16 KiB). */
const MAX_HEADER_BYTES = 1024 * 1024;
const INVALID_REQUEST_ID = { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' };
const INVALID_RESPONSE_MODE_REPLY = { errorMessage: 'Invalid function response mode', errorType: 'InvalidFunctionResponseMode' };
const TOO_LARGE_REPLY = { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' };

const PING: Route = { kind: 'ping', method: 'GET' };
const NEXT: Route = { kind: 'next', method: 'GET' };
const INIT_ERROR: Route = { kind: 'init-error', method: 'POST' };
const INVOCATION_PREFIX = '/2018-06-01/runtime/invocation/';

/** Routes by the path alone (a query string is ignored). String tests, not a regex: this runs twice per invocation. */
function routeOf(url: string): Route | undefined {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  if (path === '/2018-06-01/runtime/invocation/next') return NEXT;
  if (path.startsWith(INVOCATION_PREFIX)) {
    // `<prefix><id>/response` or `<prefix><id>/error`, the id one non-empty segment.
    const slash = path.indexOf('/', INVOCATION_PREFIX.length);
    if (slash <= INVOCATION_PREFIX.length) return undefined;
    const action = path.slice(slash + 1);
    if (action !== 'response' && action !== 'error') return undefined;
    return { kind: action, method: 'POST', requestId: decoded(path.slice(INVOCATION_PREFIX.length, slash)) };
  }
  if (path === '/2018-06-01/ping') return PING;
  if (path === '/2018-06-01/runtime/init/error') return INIT_ERROR;
  return undefined;
}

/** A malformed percent-escape names no request: the raw text then fails the id check (400). */
function decoded(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function forbidden(res: ServerResponse, from: RuntimeState, to: RuntimeState): void {
  sendJson(res, 403, {
    errorMessage: `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`,
    errorType: 'InvalidStateTransition',
  });
}

/**
 * HTTP header values must be single-line Latin-1. Re-serialising the (already validated) JSON removes line
 * breaks, and escaping non-ASCII as \\uXXXX keeps it the same JSON value for the runtime's JSON.parse.
 */
function asciiJson(text: string): string {
  return JSON.stringify(JSON.parse(text)).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The /next answer: the event as the body, its context in Lambda-Runtime-* headers (empty ones left out, as RIE does). */
function writeEvent(res: ServerResponse, e: RuntimeEvent): void {
  const headers: Record<string, string | number> = {
    'Lambda-Runtime-Aws-Request-Id': e.requestId,
    'Lambda-Runtime-Deadline-Ms': e.deadlineMs,
    'Lambda-Runtime-Invoked-Function-Arn': e.invokedFunctionArn,
  };
  if (e.traceId) headers['Lambda-Runtime-Trace-Id'] = e.traceId;
  if (e.clientContext) headers['Lambda-Runtime-Client-Context'] = asciiJson(e.clientContext);
  if (e.cognitoIdentity) headers['Lambda-Runtime-Cognito-Identity'] = e.cognitoIdentity;
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = e.payload.length;
  res.writeHead(200, headers);
  res.end(e.payload);
}

/** An HTTP server fit for the Runtime API, without a request handler yet (RuntimeApi adds its own). */
export function runtimeApiServer(): Server {
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES });
  // The runtime's GET /next is a long poll that may wait for minutes: no server-side timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  return server;
}

export class RuntimeApi {
  readonly server: Server;
  private state: RuntimeState = 'Started';
  /** The event last handed to the runtime: replies must name it, and a repeated /next gets it again. */
  private current: RuntimeEvent | undefined;

  /**
   * `other` answers the other APIs served on the same host:port (Extensions, Telemetry); false: not its path.
   * `server`: one already listening (a pre-started runtime's, from `runtimeApiServer()`), else a new one.
   */
  constructor(
    private readonly handlers: RuntimeApiHandlers,
    private readonly other?: (req: IncomingMessage, res: ServerResponse) => boolean,
    server: Server = runtimeApiServer(),
  ) {
    this.server = server;
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.route(req, res).catch(() => {
        // /next never answers 500: AWS's Node runtime client crashes on it. Nor does a half-written answer.
        if (res.headersSent || req.method === 'GET') res.destroy();
        else sendJson(res, 500, { errorMessage: 'Internal Server Error', errorType: 'InternalServerError' });
      });
    });
  }

  /** Answers the runtime's parked /next with an event; from now on replies must name it. */
  deliver(res: ServerResponse, event: RuntimeEvent): void {
    this.current = event;
    this.state = 'Running';
    writeEvent(res, event);
  }

  /** A new runtime process (init retried inside an invocation) starts the protocol again. */
  restart(): void {
    this.state = 'Started';
    this.current = undefined;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // The other APIs' paths never start with the Runtime API's version, so asking them second changes no answer.
    const route = routeOf(req.url ?? '');
    if (route === undefined && this.other?.(req, res) === true) return;
    // Go's http.NotFound and chi's 405 (an Allow header, no body): AWS's router answers these itself.
    if (route === undefined) return sendText(res, 404, '404 page not found\n', { 'X-Content-Type-Options': 'nosniff' });
    if (req.method !== route.method) {
      res.writeHead(405, { Allow: route.method, 'Content-Length': 0 });
      return void res.end();
    }
    if (route.kind === 'ping') return sendText(res, 200, 'pong');
    if (route.kind === 'next') return this.next(res);
    if (route.kind === 'init-error') return this.initError(req, res);
    return this.reply(route.kind, route.requestId, req, res);
  }

  private next(res: ServerResponse): void {
    const from = this.state;
    // Asking again without replying is allowed: RIE hands out the same event.
    if (from === 'Running' && this.current !== undefined) return writeEvent(res, this.current);
    if (from === 'InitError' || from === 'InvocationResponse' || from === 'InvocationErrorResponse') return forbidden(res, from, 'Ready');
    this.state = 'Ready';
    this.handlers.next(res);
  }

  /** /init/error: only before the first /next, and only once. */
  private async initError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.state !== 'Started') return forbidden(res, this.state, 'InitError');
    this.state = 'InitError';
    const body = await this.readBody(req, 'Started');
    const reply = this.handlers.initError(body === undefined ? RESPONSE_TOO_LARGE : initErrorReport(req, body));
    if (reply === 'refused') return forbidden(res, 'Started', 'InitError');
    if (body === undefined) return sendJson(res, 413, TOO_LARGE_REPLY);
    sendJson(res, 202, { status: 'OK' });
  }

  /**
   * /response and /error: the id is checked before the state, as RIE does. The state moves before the body is
   * read, so a second reply racing the first one is refused.
   */
  private async reply(kind: 'response' | 'error', requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const to = kind === 'response' ? 'InvocationResponse' : 'InvocationErrorResponse';
    if (this.current === undefined || this.current.requestId !== requestId) return sendJson(res, 400, INVALID_REQUEST_ID);
    if (this.state !== 'Running') return forbidden(res, this.state, to);
    this.state = to;
    let status = 202;
    let reply: RuntimeReply;
    if (kind === 'response' && isStreamedResponse(req)) return this.streamed(requestId, req, res);
    if (kind === 'response' && invalidResponseMode(req)) {
      req.resume();
      status = 400;
      reply = this.handlers.error(requestId, INVALID_RESPONSE_MODE);
    } else {
      const body = await this.readBody(req, 'Running');
      if (body === undefined) {
        status = 413;
        reply = this.handlers.error(requestId, RESPONSE_TOO_LARGE);
      } else if (kind === 'error') {
        reply = this.handlers.error(requestId, invocationErrorReport(req, body));
      } else {
        reply = this.handlers.response(requestId, body, req.headers['content-type'] ?? 'application/json');
      }
    }
    this.state = 'RuntimeResponseSentState';
    if (reply === 'refused') return forbidden(res, 'Running', to);
    if (status === 400) return sendJson(res, 400, INVALID_RESPONSE_MODE_REPLY);
    if (status === 413) return sendJson(res, 413, TOO_LARGE_REPLY);
    sendJson(res, 202, { status: 'OK' });
  }

  /**
   * A streamed /response: each chunk is handed on as it arrives, and the runtime's upload waits while the caller
   * is not ready for more. The end (trailers included) settles the invocation; past the limit the rest is
   * drained and the runtime gets 413. A stream broken off part-way cannot be posted again: it is truncated.
   */
  private async streamed(requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const writer = this.handlers.streamResponse(requestId, req.headers['content-type'] ?? 'application/octet-stream');
    if (writer === 'refused') {
      req.resume();
      this.state = 'RuntimeResponseSentState';
      return forbidden(res, 'Running', 'InvocationResponse');
    }
    let tooLarge = false;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (tooLarge) continue;
        const written = writer.write(chunk);
        if (written === 'too-large') tooLarge = true;
        else if (written !== 'ok') await written;
      }
    } catch (err) {
      writer.end(TRUNCATED_RESPONSE);
      this.state = 'RuntimeResponseSentState';
      throw err;
    }
    const reply = writer.end(tooLarge ? streamTooLarge(writer.limit) : streamedFailure(req));
    this.state = 'RuntimeResponseSentState';
    if (reply === 'refused') return forbidden(res, 'Running', 'InvocationResponse');
    if (tooLarge) return sendJson(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${writer.limit} bytes).`, errorType: 'RequestEntityTooLarge' });
    sendJson(res, 202, { status: 'OK' });
  }

  /** The whole body (chunked and trailers included), undefined past the size cap. A broken upload undoes the transition. */
  private async readBody(req: IncomingMessage, before: RuntimeState): Promise<Buffer | undefined> {
    try {
      return await readBoundedBody(req, MAX_RESPONSE_BYTES);
    } catch (err) {
      this.state = before;
      throw err;
    }
  }
}
