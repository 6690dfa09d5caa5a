// Reads the region from a request's SigV4 credential scope
// (`Authorization: AWS4-HMAC-SHA256 Credential=<AKID>/<date>/<region>/lambda/aws4_request, ...`).
// Signatures are not verified: any credentials are accepted, as local AWS tools do.
import type { IncomingMessage } from 'node:http';

export function regionOf(req: IncomingMessage, fallback: string): string {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth);
    if (m?.[1] !== undefined) return m[1];
  }
  const m = /[?&]X-Amz-Credential=([^&]*)/.exec(req.url ?? '');
  const scope = m?.[1] === undefined ? undefined : safeDecode(m[1]);
  return scope?.split('/')[2] ?? fallback;
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
