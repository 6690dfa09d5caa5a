// InvokeWithResponseStream (POST /2021-11-15/functions/{F}/response-streaming-invocations): the function's
// response as AWS's event stream (spec/lambda-wire.md a.6). The 200 and its headers go out when the runtime
// opens its streamed response; each chunk becomes a PayloadChunk event as it arrives; InvokeComplete (ErrorCode,
// ErrorDetails, LogResult) ends the stream. A function that does not stream gets its whole response as one
// PayloadChunk. Errors found before anything was written (validation, not found, throttling) are ordinary AWS
// errors.
import type { ServerResponse } from 'node:http';
import { type InvocationOutcome, type ResponseStreamSink, type ResponseStreamStart, serviceException } from '../../model/index.js';
import type { InvokeService } from '../../services/index.js';
import { encodeEvent } from '../event-stream.js';
import { readBody, sendEmpty } from '../http.js';
import type { Router } from '../router.js';
import { checkJson, header, invocationType, invokeRequest, logTail, platformError, SYNC_PAYLOAD_LIMIT } from './invoke.js';

const EVENT_STREAM = 'application/vnd.amazon.eventstream';

/** The caller's end of one streamed invocation: event-stream messages written as the function produces them. */
class EventStreamWriter implements ResponseStreamSink {
  private started = false;
  private gone = false;

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => (this.gone = true));
  }

  get headersSent(): boolean {
    return this.started;
  }

  start(info: Pick<ResponseStreamStart, 'executedVersion'>): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'Content-Type': EVENT_STREAM, 'X-Amz-Executed-Version': info.executedVersion });
    this.res.flushHeaders();
  }

  write(chunk: Buffer): Promise<void> | undefined {
    if (this.gone || chunk.length === 0) return undefined;
    if (this.res.write(encodeEvent('PayloadChunk', 'application/octet-stream', chunk))) return undefined;
    // The caller reads slower than the function writes: hold the runtime back until it catches up (or leaves).
    return new Promise((resolve) => {
      const done = () => {
        this.res.off('drain', done);
        this.res.off('close', done);
        resolve();
      };
      this.res.on('drain', done);
      this.res.on('close', done);
    });
  }

  /** Everything after the last chunk: a buffered response as one chunk, then InvokeComplete. */
  finish(outcome: InvocationOutcome, tail: string | undefined): void {
    this.start(outcome);
    const complete: Record<string, string> = {};
    if (outcome.kind === 'ok') {
      void this.write(outcome.payload);
    } else if (outcome.kind === 'function-error') {
      const { code, details } = errorFields(outcome.payload, outcome.errorType);
      complete['ErrorCode'] = code;
      complete['ErrorDetails'] = details;
    } else {
      complete['ErrorCode'] = 'ServiceException';
      complete['ErrorDetails'] = outcome.message;
    }
    if (tail !== undefined) complete['LogResult'] = tail;
    this.res.end(encodeEvent('InvokeComplete', 'application/json', Buffer.from(JSON.stringify(complete))));
  }
}

/** The runtime's error object: its errorType and errorMessage, else Lambda's type and the raw payload. */
function errorFields(payload: Buffer, errorType: string): { code: string; details: string } {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { errorType?: unknown; errorMessage?: unknown } | null;
    const code = typeof parsed?.errorType === 'string' && parsed.errorType !== '' ? parsed.errorType : errorType;
    const details = typeof parsed?.errorMessage === 'string' ? parsed.errorMessage : payload.toString('utf8');
    return { code, details };
  } catch {
    return { code: errorType, details: payload.toString('utf8') };
  }
}

export function registerInvokeStreamOperation(router: Router, invoker: InvokeService): void {
  router.add('POST', '/2021-11-15/functions/{name}/response-streaming-invocations', async (call) => {
    // ResponseStreamingInvocationType: RequestResponse or DryRun (no Event for a streamed answer).
    const type = invocationType(call, ['RequestResponse', 'DryRun']);
    const payload = await readBody(call.req, SYNC_PAYLOAD_LIMIT, 'InvokeWithResponseStream');
    checkJson(payload);
    const writer = new EventStreamWriter(call.res);
    const result = await invoker.invoke(call.ctx, { ...invokeRequest(call, type, payload), responseStream: writer });
    if (result.kind === 'dry-run') return sendEmpty(call.res, 204);
    // This operation never takes InvocationType Event, so nothing is ever queued here.
    if (result.kind === 'queued') throw serviceException('An InvokeWithResponseStream call was queued.');
    const outcome = result.outcome;
    if (outcome.kind === 'platform-error' && !writer.headersSent) throw platformError(outcome);
    writer.finish(outcome, header(call, 'x-amz-log-type') === 'Tail' ? logTail(outcome.logLines) : undefined);
  });
}
