// Public face of gateway/: HTTP triggers on the API's listener. A request is a trigger's when its Host names one
// (`<url-id>.lambda-url.<region>.localhost`, `<api-id>.execute-api.localhost`) or its path is path-style
// (`/_nimbus/url/<url-id>/...`, `/_nimbus/api/<api-id>/...`); everything else is left to the Lambda API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../shared/http-body.js';
import { newRequestId, randomHex } from '../shared/ids.js';
import { type FunctionUrlDeps, serveFunctionUrl } from './function-url-handler.js';
import { type HttpApiDeps, serveHttpApi } from './http-api-handler.js';
import { toTriggerRequest } from './http-request.js';
import { jsonReply, sendReply, SYNC_PAYLOAD_LIMIT } from './invoke-for-http.js';

const URL_HOST_RE = /^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\.localhost(?::\d+)?$/;
const API_HOST_RE = /^([a-z0-9]{10})\.execute-api\.localhost(?::\d+)?$/;
const PATH_RE = /^\/_nimbus\/(url|api)\/([a-z0-9]+)(\/[^?]*)?(\?.*)?$/;

export type GatewayDeps = FunctionUrlDeps & HttpApiDeps;

/** `Root=1-<epoch hex>-<24 hex>`, the X-Ray trace header AWS's front end adds to trigger requests. */
function newTraceHeader(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16).padStart(8, '0')}-${randomHex(12)}`;
}

interface Addressed {
  readonly kind: 'url' | 'api';
  readonly id: string;
  /** The target within the trigger: path and query as sent. */
  readonly target: string;
  /** The Host when it names the trigger (function URL events report it as domainName). */
  readonly host: string;
}

function address(req: IncomingMessage): Addressed | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  const target = req.url ?? '/';
  const url = URL_HOST_RE.exec(host);
  if (url !== null) return { kind: 'url', id: url[1] ?? '', target, host };
  const api = API_HOST_RE.exec(host);
  if (api !== null) return { kind: 'api', id: api[1] ?? '', target, host };
  const path = PATH_RE.exec(target);
  if (path === null) return undefined;
  return { kind: path[1] === 'url' ? 'url' : 'api', id: path[2] ?? '', target: `${path[3] ?? '/'}${path[4] ?? ''}`, host: '' };
}

export class TriggerGateway {
  constructor(private readonly deps: GatewayDeps) {}

  /** Serves the request and returns true when it is addressed to a trigger. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    const addressed = address(req);
    if (addressed === undefined) return false;
    this.serve(addressed, req, res).catch((err: unknown) => {
      this.deps.logger.error({ err }, 'HTTP trigger request failed');
      if (!res.headersSent) sendReply(res, newRequestId(), jsonReply(500, { message: 'Internal Server Error' }));
      else res.destroy();
    });
    return true;
  }

  private async serve(a: Addressed, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBoundedBody(req, SYNC_PAYLOAD_LIMIT);
    if (body === undefined) {
      const message = 'Request must be smaller than 6291456 bytes for the InvokeFunction operation';
      return sendReply(res, newRequestId(), a.kind === 'url' ? jsonReply(413, { Message: message }, 'RequestEntityTooLargeException') : jsonReply(413, { message: 'Request Entity Too Large' }));
    }
    const request = toTriggerRequest(req, a.target, body, newTraceHeader());
    if (a.kind === 'url') return serveFunctionUrl(this.deps, a.id, request, req.url ?? '/', a.host, res);
    return serveHttpApi(this.deps, a.id, request, res);
  }
}
