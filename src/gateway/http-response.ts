// Function result → HTTP response, as function URLs and HTTP APIs map it (spec/lambda-wire.md c.1, c.2). Payload 2.0:
// an object with statusCode is a response description, anything else is a 200 application/json body (a JSON string
// unquoted, other values re-serialised compactly). Payload 1.0: the REST proxy shape, statusCode required. A result
// that does not fit is `invalid` (the caller answers 502).

export interface HttpReply {
  readonly status: number;
  /** Header name → values (repeats allowed, e.g. Set-Cookie). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

type Json = Record<string, unknown>;

function parse(payload: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(payload.toString('utf8')) as unknown };
  } catch {
    return { ok: false };
  }
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const scalar = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;

function statusOf(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/**
 * A non-string `body` is sent as the function wrote it (AWS recorded a Python `{"hello": "world"}` body as 18 bytes),
 * while a whole result without statusCode is re-serialised compactly.
 */
function bodyOf(desc: Json, payload: Buffer): Buffer | undefined {
  const body = desc['body'];
  if (body === undefined || body === null) return Buffer.alloc(0);
  const text = typeof body === 'string' ? body : rawMember(payload.toString('utf8'), 'body') ?? JSON.stringify(body);
  return desc['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

export function mapResultV2(payload: Buffer): HttpReply | 'invalid' {
  const parsed = parse(payload);
  if (!parsed.ok) return 'invalid';
  const value = parsed.value;
  if (!isObject(value) || !('statusCode' in value)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from(text, 'utf8') };
  }
  const status = statusOf(value['statusCode']);
  if (status === undefined) return 'invalid';
  const headers: Array<[string, string]> = [];
  let hasType = false;
  if (isObject(value['headers'])) {
    for (const [name, v] of Object.entries(value['headers'])) {
      const s = scalar(v);
      if (s === undefined) continue;
      if (name.toLowerCase() === 'content-type') hasType = true;
      headers.push([name, s]);
    }
  }
  if (!hasType) headers.unshift(['content-type', 'application/json']);
  if (Array.isArray(value['cookies'])) for (const c of value['cookies']) if (typeof c === 'string') headers.push(['set-cookie', c]);
  const body = bodyOf(value, payload);
  return body === undefined ? 'invalid' : { status, headers, body };
}

export function mapResultV1(payload: Buffer): HttpReply | 'invalid' {
  const parsed = parse(payload);
  if (!parsed.ok || !isObject(parsed.value)) return 'invalid';
  const value = parsed.value;
  const status = statusOf(value['statusCode']);
  if (status === undefined || (value['body'] !== undefined && value['body'] !== null && typeof value['body'] !== 'string')) return 'invalid';
  const headers: Array<[string, string]> = [];
  const single = isObject(value['headers']) ? value['headers'] : {};
  const multi = isObject(value['multiValueHeaders']) ? value['multiValueHeaders'] : {};
  // Both maps are merged; a name in both gets the multi values followed by the single one.
  for (const [name, list] of Object.entries(multi)) if (Array.isArray(list)) for (const v of list) { const s = scalar(v); if (s !== undefined) headers.push([name, s]); }
  for (const [name, v] of Object.entries(single)) { const s = scalar(v); if (s !== undefined && !headers.some(([n, x]) => n === name && x === s)) headers.push([name, s]); }
  if (!headers.some(([n]) => n.toLowerCase() === 'content-type')) headers.unshift(['content-type', 'application/json']);
  const body = bodyOf(value, payload);
  return body === undefined ? 'invalid' : { status, headers, body };
}

/** The source text of a top-level member of a JSON object text (the last one of that name, as JSON.parse keeps). */
export function rawMember(text: string, key: string): string | undefined {
  let i = skipWs(text, 0);
  if (text[i] !== '{') return undefined;
  let found: string | undefined;
  i = skipWs(text, i + 1);
  while (i < text.length && text[i] === '"') {
    const keyEnd = scanValue(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const start = skipWs(text, i + 1);
    const end = scanValue(text, start);
    if (name === key) found = text.slice(start, end);
    i = skipWs(text, end);
    if (text[i] === ',') i = skipWs(text, i + 1);
  }
  return found;
}

function skipWs(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] ?? '')) i += 1;
  return i;
}

/** The index just past the JSON value starting at `i` (the text is known to be valid JSON). */
function scanValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
    return j + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    let j = i;
    while (j < text.length) {
      const d = text[j];
      if (d === '"') { j = scanValue(text, j); continue; }
      if (d === '{' || d === '[') depth += 1;
      if (d === '}' || d === ']') { depth -= 1; if (depth === 0) return j + 1; }
      j += 1;
    }
    return j;
  }
  let j = i;
  while (j < text.length && !/[,}\]\s]/.test(text[j] ?? '')) j += 1;
  return j;
}
