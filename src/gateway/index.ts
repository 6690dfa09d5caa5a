// Public face of gateway/: HTTP triggers on the API's listener. A request is a trigger's when its Host names one
// (`<url-id>.lambda-url.<region>.localhost`, `<api-id>.execute-api.localhost`) or its path is path-style
// (`/_nimbus/url/<url-id>/...`); everything else is left to the Lambda API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import { readBoundedBody } from '../shared/http-body.js';
import { newRequestId } from '../shared/ids.js';
import { type FunctionUrlDeps, serveFunctionUrl } from './function-url-handler.js';
import { jsonReply, sendReply, SYNC_PAYLOAD_LIMIT } from './invoke-for-http.js';
import { toTriggerRequest } from './http-request.js';

export { verifySigV4 } from '../shared/sigv4-verifier.js';

const URL_HOST_RE = /^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\.localhost(?::\d+)?$/;
const URL_PATH_RE = /^\/_nimbus\/url\/([a-z0-9]{32})(\/[^?]*)?(\?.*)?$/;

export type GatewayDeps = FunctionUrlDeps;

export class TriggerGateway {
  constructor(private readonly deps: GatewayDeps, private readonly logger: Logger) {}

  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    const host = (req.headers.host ?? '').toLowerCase();
    const target = req.url ?? '/';
    let urlId: string | undefined;
    let path = target;
    const byHost = URL_HOST_RE.exec(host);
    if (byHost !== null) {
      urlId = byHost[1];
    } else {
      const byPath = URL_PATH_RE.exec(target);
      if (byPath === null) return false;
      urlId = byPath[1];
      path = `${byPath[2] ?? '/'}${byPath[3] ?? ''}`;
    }
    this.serveUrl(urlId ?? '', req, res, path, host).catch((err: unknown) => {
      this.logger.error({ err }, 'function URL request failed');
      if (!res.headersSent) sendReply(res, newRequestId(), { status: 502, headers: [['content-type', 'text/plain']], body: Buffer.from('Internal Server Error') });
      else res.destroy();
    });
    return true;
  }

  private async serveUrl(urlId: string, req: IncomingMessage, res: ServerResponse, path: string, host: string): Promise<void> {
    const body = await readBoundedBody(req, SYNC_PAYLOAD_LIMIT);
    if (body === undefined) {
      return sendReply(res, newRequestId(), jsonReply(413, { Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }, 'RequestEntityTooLargeException'));
    }
    await serveFunctionUrl(this.deps, urlId, toTriggerRequest(req, path, body), req.url ?? '/', URL_HOST_RE.test(host) ? host : '', res);
  }
}
