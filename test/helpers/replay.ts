// Replaying a LocalStack Lambda test against Nimbus: a real server, a real @aws-sdk/client-lambda client whose
// raw HTTP responses are recorded (snapshots.ts WireRecorder), and LocalStack's `create_lambda_function` fixture
// for the python functions those tests create. Stopping it deletes the functions it created.
import {
  CreateFunctionCommand, type CreateFunctionCommandInput, DeleteFunctionCommand, LambdaClient, waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { startTestServer, TEST_CREDENTIALS, TEST_ROLE, type TestServer } from './server.js';
import { WireRecorder, type WireResponse } from './snapshots.js';
import { makeZip } from './zip.js';

export const REGION = 'us-east-1';

/** LocalStack's TEST_LAMBDA_PYTHON_ECHO, zipped as `handler.py` by its fixture. */
export const pyEcho = (tag = ''): Promise<Buffer> => makeZip({ 'handler.py': `def handler(event, context):${tag}\n    return event\n` });

export class Replay {
  private readonly created = new Set<string>();
  private readonly others: LambdaClient[] = [];
  readonly wire = new WireRecorder();

  private constructor(readonly server: TestServer, readonly lambda: LambdaClient) {
    this.wire.attach(lambda);
  }

  static async start(): Promise<Replay> {
    const server = await startTestServer();
    return new Replay(server, new LambdaClient({ endpoint: server.url, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 }));
  }

  /** A client of another region (Nimbus takes the region from the SigV4 scope); its responses are not recorded. */
  client(region: string): LambdaClient {
    const client = new LambdaClient({ endpoint: this.server.url, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    this.others.push(client);
    return client;
  }

  /** Sends one command and returns the raw HTTP response (success or AWS error alike). */
  send(command: { readonly input: object }): Promise<WireResponse> {
    // Any Lambda command: the SDK's per-command overloads do not accept a union, and the output type is not used.
    return this.wire.capture(() => this.lambda.send(command as never));
  }

  /** The fixture: python3.12, handler `handler.handler`, Timeout 30, an empty Environment, plus the test's arguments. */
  async createPython(name: string, extra: Partial<CreateFunctionCommandInput> = {}): Promise<WireResponse> {
    const response = await this.send(
      new CreateFunctionCommand({
        FunctionName: name, Runtime: 'python3.12', Handler: 'handler.handler', Role: TEST_ROLE,
        Code: { ZipFile: await pyEcho() }, Timeout: 30, Environment: { Variables: {} }, ...extra,
      }),
    );
    if (response.status === 201) this.created.add(name);
    return response;
  }

  async waitActive(name: string): Promise<void> {
    await waitUntilFunctionActiveV2({ client: this.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
  }

  async waitUpdated(name: string): Promise<void> {
    await waitUntilFunctionUpdatedV2({ client: this.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
  }

  async stop(): Promise<void> {
    for (const name of this.created) await this.lambda.send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
    for (const client of [this.lambda, ...this.others]) client.destroy();
    await this.server.stop();
  }
}

/** One recorded response of a LocalStack test, by its snapshot key. */
export function entry(recordedContent: Record<string, unknown>, key: string): unknown {
  assert.ok(key in recordedContent, `snapshot key ${key} exists`);
  return recordedContent[key];
}
