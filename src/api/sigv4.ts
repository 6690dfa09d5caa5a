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
  const query = req.url?.includes('X-Amz-Credential=') ? new URL(req.url, 'http://x').searchParams.get('X-Amz-Credential') : null;
  const fromQuery = query?.split('/')[2];
  return fromQuery ?? fallback;
}
