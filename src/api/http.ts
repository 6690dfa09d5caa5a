// HTTP plumbing of the API edge: bounded body reading, JSON replies, and the one mapper that turns any error
// into AWS's wire error (x-amzn-ErrorType header + JSON body). Unknown errors become ServiceException (500).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import { serviceException } from '../model/index.js';
import { AwsError } from '../shared/errors.js';

export class BodyTooLarge extends Error {}

/** Reads the whole body; rejects with BodyTooLarge as soon as it passes `limit` bytes (and stops buffering). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks, size))));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

export function sendError(res: ServerResponse, err: unknown, requestId: string, log: Logger): void {
  let aws: AwsError;
  if (err instanceof AwsError) {
    aws = err;
  } else {
    log.error({ err, requestId }, 'unhandled error in API request');
    aws = serviceException(`An internal error occurred (request ${requestId}). See the Nimbus server log.`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, aws.status, aws.body(), { ...aws.headers, 'x-amzn-ErrorType': aws.type });
}
