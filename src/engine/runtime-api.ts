// The Runtime API 2018-06-01 HTTP surface of one execution environment (spec/lambda-wire.md b.1). It parses
// requests, enforces the response size limit and turns calls into RuntimeApiHandlers calls; the environment
// decides what they mean for its state machine.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readBoundedBody } from '../shared/http-body.js';

export type RuntimeReply = 'accepted' | 'invalid-request-id' | 'invalid-state';

export interface RuntimeApiHandlers {
  /** The runtime asks for work; the environment keeps `res` until it has an event. */
  next(res: ServerResponse): void;
  response(requestId: string, body: Buffer, contentType: string): RuntimeReply;
  error(requestId: string, body: Buffer, errorType: string | undefined): RuntimeReply;
  initError(body: Buffer, errorType: string | undefined): RuntimeReply;
  /** The runtime's response exceeded the limit (it is told 413; the caller gets Function.ResponseSizeTooLarge). */
  responseTooLarge(requestId: string): RuntimeReply;
}

/** 6 MiB + 100 bytes: the exact cap AWS applies to a buffered response (RIE interop/model.go). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
const PREFIX = '/2018-06-01/runtime/';
const ERROR_TYPE_HEADER = 'lambda-runtime-function-error-type';

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendReply(res: ServerResponse, reply: RuntimeReply): void {
  if (reply === 'accepted') sendJson(res, 202, { status: 'OK' });
  else if (reply === 'invalid-request-id') sendJson(res, 400, { errorType: 'InvalidRequestID', errorMessage: 'Invalid request ID' });
  else sendJson(res, 403, { errorType: 'InvalidStateTransition', errorMessage: 'State transition is not allowed' });
}


function errorTypeOf(req: IncomingMessage): string | undefined {
  const fromHeader = req.headers[ERROR_TYPE_HEADER];
  const fromTrailer = req.trailers[ERROR_TYPE_HEADER];
  const value = (typeof fromTrailer === 'string' && fromTrailer) || (typeof fromHeader === 'string' && fromHeader);
  return value || undefined;
}

async function route(h: RuntimeApiHandlers, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0] ?? '';
  const method = req.method ?? 'GET';
  if (path === '/2018-06-01/ping') return sendJson(res, 200, { status: 'OK' });
  if (!path.startsWith(PREFIX)) return sendJson(res, 404, { errorType: 'NotFound', errorMessage: 'Not Found' });
  const rest = path.slice(PREFIX.length);

  if (rest === 'invocation/next') {
    if (method !== 'GET') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Method Not Allowed' });
    return h.next(res);
  }
  if (rest === 'init/error') {
    if (method !== 'POST') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Method Not Allowed' });
    const body = (await readBoundedBody(req, MAX_RESPONSE_BYTES)) ?? Buffer.alloc(0);
    return sendReply(res, h.initError(body, errorTypeOf(req)));
  }
  const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (m === null) return sendJson(res, 404, { errorType: 'NotFound', errorMessage: 'Not Found' });
  if (method !== 'POST') return sendJson(res, 405, { errorType: 'MethodNotAllowed', errorMessage: 'Method Not Allowed' });
  const requestId = decodeURIComponent(m[1] ?? '');
  const body = await readBoundedBody(req, MAX_RESPONSE_BYTES);
  if (m[2] === 'response') {
    if (body === undefined) {
      const reply = h.responseTooLarge(requestId);
      if (reply !== 'accepted') return sendReply(res, reply);
      return sendJson(res, 413, {
        errorType: 'RequestEntityTooLarge',
        errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
      });
    }
    const contentType = req.headers['content-type'] ?? 'application/json';
    return sendReply(res, h.response(requestId, body, contentType));
  }
  return sendReply(res, h.error(requestId, body ?? Buffer.alloc(0), errorTypeOf(req)));
}

export function createRuntimeApiServer(h: RuntimeApiHandlers): Server {
  const server = createServer((req, res) => {
    route(h, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errorType: 'ServiceException', errorMessage: 'Internal error' });
      else res.destroy();
    });
  });
  // The runtime's GET /next is a long poll that may wait for minutes: no server-side timeouts.
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.keepAliveTimeout = 0;
  server.timeout = 0;
  return server;
}
