// CORS of function URLs (their Cors) and HTTP APIs (their corsConfiguration): preflight answers (OPTIONS with Origin and
// Access-Control-Request-Method, answered by the URL without invoking the function) and the headers added to
// actual responses, replacing any the function set. https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html#urls-cors
import type { UrlCors } from '../model/index.js';
import type { HttpReply } from './http-response.js';

function allowedOrigin(cors: UrlCors, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  const origins = cors.allowOrigins ?? [];
  if (origins.includes('*')) return '*';
  return origins.some((o) => o.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

export function isPreflight(method: string, headers: ReadonlyMap<string, readonly string[]>): boolean {
  return method === 'OPTIONS' && headers.has('origin') && headers.has('access-control-request-method');
}

/** Headers of the answer to a preflight request (status 200, empty body). */
export function preflightHeaders(cors: UrlCors, origin: string | undefined): Array<[string, string]> {
  const allowed = allowedOrigin(cors, origin);
  if (allowed === undefined) return [];
  const out: Array<[string, string]> = [['Access-Control-Allow-Origin', allowed]];
  if ((cors.allowMethods ?? []).length > 0) out.push(['Access-Control-Allow-Methods', (cors.allowMethods ?? []).join(',')]);
  if ((cors.allowHeaders ?? []).length > 0) out.push(['Access-Control-Allow-Headers', (cors.allowHeaders ?? []).join(',')]);
  if (cors.allowCredentials === true) out.push(['Access-Control-Allow-Credentials', 'true']);
  if (cors.maxAge !== undefined) out.push(['Access-Control-Max-Age', String(cors.maxAge)]);
  out.push(['Vary', 'Origin']);
  return out;
}

/** Headers added to an actual response for an allowed origin. */
export function responseCorsHeaders(cors: UrlCors, origin: string | undefined): Array<[string, string]> {
  const allowed = allowedOrigin(cors, origin);
  if (allowed === undefined) return [];
  const out: Array<[string, string]> = [['Access-Control-Allow-Origin', allowed]];
  if ((cors.exposeHeaders ?? []).length > 0) out.push(['Access-Control-Expose-Headers', (cors.exposeHeaders ?? []).join(',')]);
  if (cors.allowCredentials === true) out.push(['Access-Control-Allow-Credentials', 'true']);
  out.push(['Vary', 'Origin']);
  return out;
}

/** The reply with the CORS headers for an allowed origin, replacing any of the same names the function set. */
export function withCors(reply: HttpReply, cors: UrlCors | undefined, origin: string | undefined): HttpReply {
  if (cors === undefined) return reply;
  const added = responseCorsHeaders(cors, origin);
  if (added.length === 0) return reply;
  const names = new Set(added.map(([n]) => n.toLowerCase()));
  return { ...reply, headers: [...reply.headers.filter(([n]) => !names.has(n.toLowerCase())), ...added] };
}
