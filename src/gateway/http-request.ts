// The parts of an incoming HTTP request every trigger event is built from, read once: method, raw path and query
// (as sent, after any path-style prefix), headers with their repeats, body, source address.
import type { IncomingMessage } from 'node:http';

export interface TriggerRequest {
  readonly method: string;
  /** Path as sent (percent-encoded), without the query. */
  readonly rawPath: string;
  /** Query as sent, without `?`. */
  readonly rawQuery: string;
  /** Lower-case name → every value, in order: what the function sees (with the front end's added headers). */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  /** The headers as the client sent them (what a signature covers). */
  readonly received: ReadonlyMap<string, readonly string[]>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

export function headersOf(req: IncomingMessage): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] ?? '').toLowerCase();
    const list = out.get(name);
    if (list === undefined) out.set(name, [raw[i + 1] ?? '']);
    else list.push(raw[i + 1] ?? '');
  }
  return out;
}

/**
 * The request as the function sees it. Like AWS's front end, Nimbus adds `x-amzn-trace-id` and the
 * `x-forwarded-for` (the client's address appended to any it sent), `-proto` and `-port` headers
 * (AWS's `x-amzn-tls-*` headers have no counterpart: Nimbus serves plain HTTP).
 */
export function toTriggerRequest(req: IncomingMessage, target: string, body: Buffer, traceId: string): TriggerRequest {
  const q = target.indexOf('?');
  const raw = req.socket.remoteAddress ?? '127.0.0.1';
  const ip = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
  const received = headersOf(req);
  const headers = new Map(received);
  headers.set('x-amzn-trace-id', [traceId]);
  const forwarded = headers.get('x-forwarded-for');
  headers.set('x-forwarded-for', [forwarded === undefined ? ip : `${forwarded.join(', ')}, ${ip}`]);
  headers.set('x-forwarded-port', [String(req.socket.localPort ?? '')]);
  headers.set('x-forwarded-proto', ['http']);
  return {
    method: req.method ?? 'GET',
    rawPath: q < 0 ? target : target.slice(0, q),
    rawQuery: q < 0 ? '' : target.slice(q + 1),
    headers,
    received,
    body,
    sourceIp: ip,
    protocol: `HTTP/${req.httpVersion}`,
  };
}

/** Query pairs decoded (`+` is a space, as in forms), in order; a malformed escape is kept as sent. */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  if (rawQuery === '') return [];
  return rawQuery.split('&').filter((p) => p !== '').map((pair) => {
    const i = pair.indexOf('=');
    return [decode(i < 0 ? pair : pair.slice(0, i)), decode(i < 0 ? '' : pair.slice(i + 1))];
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Whether a body of this content type reaches the function as text; anything else is base64 (isBase64Encoded). */
export function isTextContent(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const t = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return t.startsWith('text/') || /^application\/([a-z0-9.+-]+\+)?(json|xml|javascript)$/.test(t);
}

/** `dd/MMM/yyyy:HH:mm:ss +0000`, the requestContext.time of payload 2.0 (and requestTime of 1.0). */
export function clfTime(ms: number): string {
  const d = new Date(ms);
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()] ?? ''}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
