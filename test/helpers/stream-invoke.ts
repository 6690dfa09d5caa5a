// InvokeWithResponseStream through @aws-sdk/client-lambda for tests: collects the decoded events, and can run a
// callback when the first chunk arrives (while the function is still running).
import { InvokeWithResponseStreamCommand, type InvokeWithResponseStreamCommandInput, type LambdaClient } from '@aws-sdk/client-lambda';

export interface StreamResult {
  readonly statusCode: number | undefined;
  readonly executedVersion: string | undefined;
  readonly contentType: string | undefined;
  readonly chunks: Buffer[];
  readonly body: Buffer;
  readonly complete: { ErrorCode?: string | undefined; ErrorDetails?: string | undefined; LogResult?: string | undefined } | undefined;
  /** The decoded LogResult. */
  readonly log: string;
}

export async function invokeStream(
  lambda: LambdaClient,
  functionName: string,
  event: unknown,
  options: { extra?: Partial<InvokeWithResponseStreamCommandInput>; onFirstChunk?: (chunk: Buffer) => void } = {},
): Promise<StreamResult> {
  const out = await lambda.send(new InvokeWithResponseStreamCommand({
    FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)), LogType: 'Tail', ...options.extra,
  }));
  const chunks: Buffer[] = [];
  let complete: StreamResult['complete'];
  for await (const e of out.EventStream ?? []) {
    if (e.PayloadChunk?.Payload !== undefined) {
      const chunk = Buffer.from(e.PayloadChunk.Payload);
      if (chunks.length === 0) options.onFirstChunk?.(chunk);
      chunks.push(chunk);
    }
    if (e.InvokeComplete !== undefined) complete = e.InvokeComplete;
  }
  return {
    statusCode: out.StatusCode,
    executedVersion: out.ExecutedVersion,
    contentType: out.ResponseStreamContentType,
    chunks,
    body: Buffer.concat(chunks),
    complete,
    log: complete?.LogResult === undefined ? '' : Buffer.from(complete.LogResult, 'base64').toString('utf8'),
  };
}
