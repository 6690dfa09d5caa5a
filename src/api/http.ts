// HTTP plumbing of the API edge: bounded body reading, JSON replies, and the one mapper that turns any error
// into AWS's wire error (x-amzn-ErrorType header + JSON body). Unknown errors become ServiceException (500).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../observe/index.js';
import { messages, requestTooLarge, serviceException } from '../model/index.js';
import { AwsError } from '../shared/errors.js';
import { readBoundedBody } from '../shared/http-body.js';

/** Reads the whole body; past `limit` bytes it fails with AWS's 413 naming the operation. */
export async function readBody(req: IncomingMessage, limit: number, operation: string): Promise<Buffer> {
  const body = await readBoundedBody(req, limit);
  if (body === undefined) throw requestTooLarge(messages.requestTooLarge(limit, operation));
  return body;
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
