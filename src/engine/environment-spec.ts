// The immutable inputs of an execution environment and of one invocation, resolved by services/ before they
// reach the engine (the engine never reads the store).
import type { ResponseStreamSink } from '../model/response-stream.js';

export interface EnvironmentSpec {
  /** Pool identity: one pool per function version (`<unqualified arn>:<version>`). */
  readonly poolKey: string;
  /** Changes whenever code or configuration changes; environments of an older generation are retired. */
  readonly generation: string;
  readonly functionName: string;
  readonly version: string;
  readonly region: string;
  readonly accountId: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memoryMb: number;
  readonly timeoutSec: number;
  /** Extracted code, the environment's task root. */
  readonly codeDir: string;
  /** The function's layers merged (host path), shown read-only as /opt; absent when it has none. */
  readonly optDir?: string;
  /** EphemeralStorage in MB: the size of the private /tmp. */
  readonly ephemeralStorageMb: number;
  readonly userEnv: Readonly<Record<string, string>>;
  readonly logGroup: string;
  readonly logFormat: 'Text' | 'JSON';
  readonly applicationLogLevel?: string;
  readonly runtimeVersionArn: string;
}

export interface InvokeInput {
  readonly requestId: string;
  readonly payload: Buffer;
  /** ARN as invoked, including a qualifier when one was given. */
  readonly invokedFunctionArn: string;
  /** Decoded ClientContext JSON text. */
  readonly clientContext?: string;
  readonly cognitoIdentity?: string;
  readonly traceId: string;
  /** Where a streamed response's chunks go as they arrive; without it a streamed response is buffered. */
  readonly responseStream?: ResponseStreamSink;
}

/** Where the engine writes function log events (observe/FunctionLogStore in production). */
export interface LogSink {
  append(region: string, logGroup: string, logStream: string, events: ReadonlyArray<{ timestamp: number; message: string }>): void;
}
