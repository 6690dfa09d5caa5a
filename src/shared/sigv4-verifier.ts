// Verifies AWS Signature Version 4 on an incoming request (spec/lambda-wire.md a.1), against a table of access
// keys and secrets: header-signed requests (`Authorization: AWS4-HMAC-SHA256 ...`) and presigned URLs
// (`X-Amz-Algorithm`, `X-Amz-Credential`, ... in the query). Reusable by any HTTP
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
  | { readonly ok: false; readonly reason: 'missing' | 'malformed' | 'unknown-key' | 'scope' | 'expired' | 'mismatch' };

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

/** What a signature claims: from the Authorization header, or from the X-Amz-* query parameters of a presigned URL. */
interface Claim {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: string;
  readonly signature: string;
  readonly amzDate: string;
  /** Seconds a presigned URL stays valid. */
  readonly expiresSec?: number;
  /** The query as signed (a presigned URL's without X-Amz-Signature). */
  readonly query: string;
}

const SCOPE_RE = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/;

function claimOf(req: SignedRequest, query: string): Claim | 'missing' | 'malformed' {
  const auth = headerValue(req.headers, 'authorization');
  if (auth !== undefined) {
    const m = AUTH_RE.exec(auth);
    const amzDate = headerValue(req.headers, 'x-amz-date');
    if (m === null || amzDate === undefined) return 'malformed';
    const [, accessKeyId = '', date = '', region = '', service = '', signedHeaders = '', signature = ''] = m;
    return { accessKeyId, date, region, service, signedHeaders, signature, amzDate, query };
  }
  const params = new Map<string, string>();
  for (const pair of query.split('&')) {
    const i = pair.indexOf('=');
    if (i > 0) params.set(decode(pair.slice(0, i)), decode(pair.slice(i + 1)));
  }
  if (!params.has('X-Amz-Signature')) return 'missing';
  const scope = SCOPE_RE.exec(params.get('X-Amz-Credential') ?? '');
  const signature = params.get('X-Amz-Signature') ?? '';
  const amzDate = params.get('X-Amz-Date') ?? '';
  if (params.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || scope === null || !/^[0-9a-f]{64}$/.test(signature) || amzDate === '') return 'malformed';
  const signedQuery = query.split('&').filter((p) => !p.startsWith('X-Amz-Signature=')).join('&');
  return {
    accessKeyId: scope[1] ?? '', date: scope[2] ?? '', region: scope[3] ?? '', service: scope[4] ?? '', signedHeaders: params.get('X-Amz-SignedHeaders') ?? 'host',
    signature, amzDate, expiresSec: Number(params.get('X-Amz-Expires') ?? '900'), query: signedQuery,
  };
}

/** `yyyymmddThhmmssZ` → epoch ms. */
function amzDateMs(amzDate: string): number {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  return m === null ? Number.NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** AWS refuses header-signed requests more than 15 minutes away from its clock, and presigned URLs past their expiry. */
const MAX_SKEW_MS = 15 * 60_000;

export function verifySigV4(
  req: SignedRequest, secrets: ReadonlyMap<string, string>, expected: { region: string; service: string; nowMs?: number },
): SigV4Result {
  const q = req.target.indexOf('?');
  const path = q < 0 ? req.target : req.target.slice(0, q);
  const claim = claimOf(req, q < 0 ? '' : req.target.slice(q + 1));
  if (claim === 'missing' || claim === 'malformed') return { ok: false, reason: claim };
  const secret = secrets.get(claim.accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'unknown-key' };
  if (claim.region !== expected.region || claim.service !== expected.service || !claim.amzDate.startsWith(claim.date)) return { ok: false, reason: 'scope' };
  const signedAt = amzDateMs(claim.amzDate);
  const now = expected.nowMs ?? Date.now();
  const fresh = claim.expiresSec === undefined
    ? Math.abs(now - signedAt) <= MAX_SKEW_MS
    : now >= signedAt - MAX_SKEW_MS && now <= signedAt + claim.expiresSec * 1000;
  if (!fresh) return { ok: false, reason: 'expired' };
  // 1. Canonical request. A declared payload hash is signed as given, so it must also be the body's (else the
  // body could be swapped); a presigned URL may sign the body's hash or UNSIGNED-PAYLOAD.
  const names = claim.signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${headerValue(req.headers, n) ?? ''}\n`).join('');
  const bodyHash = sha256Hex(req.body);
  const declared = headerValue(req.headers, 'x-amz-content-sha256');
  if (declared !== undefined && declared !== bodyHash && declared !== 'UNSIGNED-PAYLOAD') return { ok: false, reason: 'mismatch' };
  const hashes = declared !== undefined ? [declared] : claim.expiresSec === undefined ? [bodyHash] : [bodyHash, 'UNSIGNED-PAYLOAD'];
  // 2. String to sign. 3. Signing key and signature.
  const scope = `${claim.date}/${claim.region}/${claim.service}/aws4_request`;
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, claim.date), claim.region), claim.service), 'aws4_request');
  const given = Buffer.from(claim.signature, 'hex');
  for (const payloadHash of hashes) {
    const canonical = [req.method, uriEncode(path === '' ? '/' : path, true), canonicalQuery(claim.query), canonicalHeaders, claim.signedHeaders, payloadHash].join('\n');
    const toSign = ['AWS4-HMAC-SHA256', claim.amzDate, scope, sha256Hex(canonical)].join('\n');
    if (timingSafeEqual(createHmac('sha256', key).update(toSign, 'utf8').digest(), given)) {
      return { ok: true, accessKeyId: claim.accessKeyId, region: claim.region, service: claim.service };
    }
  }
  return { ok: false, reason: 'mismatch' };
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
