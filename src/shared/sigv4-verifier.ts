// Verifies AWS Signature Version 4 on an incoming request (spec/lambda-wire.md a.1), against a table of access
// keys and secrets. Header-signed requests only (`Authorization: AWS4-HMAC-SHA256 ...`). Reusable by any HTTP
// edge: it takes the raw request parts, not a framework object. Canonical URI: the path as sent, URI-encoded
// once more (non-S3 services double-encode, so `%3A` is signed as `%253A`).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  readonly method: string;
  /** The request target as sent: path and query, still percent-encoded. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string; readonly region: string; readonly service: string }
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'unknown-key' | 'scope' | 'mismatch' };

const AUTH_RE = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** RFC 3986 unreserved characters stay, everything else is %XX (upper-case), as SigV4 requires. */
export function uriEncode(value: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return value;
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query.split('&').filter((p) => p !== '').map((pair) => {
    const i = pair.indexOf('=');
    const k = i < 0 ? pair : pair.slice(0, i);
    const v = i < 0 ? '' : pair.slice(i + 1);
    return [uriEncode(decode(k), false), uriEncode(decode(v), false)] as const;
  }).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function headerValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v.join(',') : v).trim().replace(/\s+/g, ' ');
}

export function verifySigV4(req: SignedRequest, secrets: ReadonlyMap<string, string>, expected: { region: string; service: string }): SigV4Result {
  const auth = headerValue(req.headers, 'authorization');
  if (auth === undefined) return { ok: false, reason: 'missing' };
  const m = AUTH_RE.exec(auth);
  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (m === null || amzDate === undefined) return { ok: false, reason: 'malformed' };
  const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
  const secret = secrets.get(accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key' };
  if (region !== expected.region || service !== expected.service || !amzDate.startsWith(date)) return { ok: false, reason: 'scope' };
  // 1. Canonical request.
  const q = req.target.indexOf('?');
  const path = q < 0 ? req.target : req.target.slice(0, q);
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(req.headers, n) ?? ''}\n`).join('');
  // A declared payload hash is signed as given, so it must also be the body's (else the body could be swapped).
  const bodyHash = sha256Hex(req.body);
  const payloadHash = headerValue(req.headers, 'x-amz-content-sha256') ?? bodyHash;
  if (payloadHash !== bodyHash && payloadHash !== 'UNSIGNED-PAYLOAD') return { ok: false, reason: 'mismatch' };
  const canonical = [req.method, uriEncode(path === '' ? '/' : path, true), canonicalQuery(q < 0 ? '' : req.target.slice(q + 1)), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  // 2. String to sign. 3. Signing key and signature.
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const actual = createHmac('sha256', key).update(toSign, 'utf8').digest();
  const given = Buffer.from(signature, 'hex');
  return timingSafeEqual(actual, given) ? { ok: true, accessKeyId, region, service } : { ok: false, reason: 'mismatch' };
}

/** `AKID:SECRET[,AKID:SECRET...]` (a config value) → access key → secret. */
export function parseCredentialList(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of value.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const i = pair.indexOf(':');
    if (i > 0) out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}
