// The `application/vnd.awslambda.http-integration-response` format: how a streaming function gives an HTTP
// front end (function URLs in RESPONSE_STREAM mode) its status code, headers and cookies ahead of the body.
// As AWS's Node runtime writes it (aws-lambda-ric HttpResponseStream.js, spec/lambda-wire.md b.1): the prelude
// as JSON text (`JSON.stringify` of what the handler passed, so it contains no NUL byte), then 8 NUL bytes, then
// the body bytes. Pure parsing; no I/O.

export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/** The 8 NUL bytes that end the JSON prelude. */
export const PRELUDE_DELIMITER = Buffer.alloc(8);

export interface HttpIntegrationPrelude {
  readonly statusCode?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
  /** Whatever else the handler put in the prelude object, kept as parsed. */
  readonly [key: string]: unknown;
}

export type PreludeParse =
  /** More bytes are needed before the prelude ends. */
  | { readonly kind: 'incomplete' }
  /** The prelude and the body bytes that came after it in the same input. */
  | { readonly kind: 'complete'; readonly prelude: HttpIntegrationPrelude; readonly body: Buffer }
  /** The bytes before the delimiter are not a JSON object. */
  | { readonly kind: 'invalid'; readonly reason: string };

/** Encodes a prelude exactly as AWS's Node runtime does: the JSON text, then the delimiter. */
export function encodePrelude(prelude: unknown): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify(prelude), 'utf8'), PRELUDE_DELIMITER]);
}

/**
 * Parses the start of an http-integration-response stream. Feed it everything received so far (chunks may split
 * the prelude or the delimiter anywhere) until it answers `complete`; the rest of the stream is body.
 */
export function parsePrelude(received: Buffer): PreludeParse {
  const end = received.indexOf(PRELUDE_DELIMITER);
  if (end < 0) return { kind: 'incomplete' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(received.subarray(0, end).toString('utf8'));
  } catch (err) {
    return { kind: 'invalid', reason: err instanceof Error ? err.message : String(err) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'invalid', reason: 'the prelude is not a JSON object' };
  return { kind: 'complete', prelude: parsed as HttpIntegrationPrelude, body: received.subarray(end + PRELUDE_DELIMITER.length) };
}

/** Incremental form of parsePrelude for a stream of chunks: collects until the prelude is complete. */
export class PreludeReader {
  private pending: Buffer[] = [];

  /** Feeds one chunk; after `complete` every further chunk is body and should bypass the reader. */
  push(chunk: Buffer): PreludeParse {
    this.pending.push(chunk);
    const result = parsePrelude(Buffer.concat(this.pending));
    if (result.kind !== 'incomplete') this.pending = [];
    return result;
  }
}
