// Reading an HTTP request body with a size bound, shared by the Lambda API and the Runtime API.
import type { IncomingMessage } from 'node:http';

/**
 * Reads the whole body (chunked bodies and trailers included). Resolves `undefined` once it passes `limit`
 * bytes: buffering stops but the rest is drained, so the connection stays usable for the error reply.
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}
