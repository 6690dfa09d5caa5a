// The harness of the conformance suites: one real Nimbus server per test file, a real @aws-sdk/client-lambda client
// whose raw wire responses are recorded, LocalStack's function-creating fixture, and access to recorded entries.
import {
  CreateFunctionCommand, type CreateFunctionCommandInput, DeleteFunctionCommand, LambdaClient, waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import { startTestServer, TEST_CREDENTIALS, TEST_ROLE, type TestServer } from './server.js';
import { WireRecorder, type WireResponse } from './snapshots.js';
import { makeZip } from './zip.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const API = 'test_lambda_api.py';

// LocalStack's TEST_LAMBDA_PYTHON_ECHO and TEST_LAMBDA_PYTHON_VERSION, zipped as `handler.py` by its fixture.
export const pyEcho = (tag = ''): Promise<Buffer> => makeZip({ 'handler.py': `def handler(event, context):${tag}\n    return event\n` });
export const pyVersion = (): Promise<Buffer> => makeZip({ 'handler.py': 'import sys\n\ndef handler(event, context):\n    return {"version": sys.version}\n' });

export const uid = (): string => randomBytes(4).toString('hex');

export function entry(recordedContent: Record<string, unknown>, key: string): unknown {
  assert.ok(key in recordedContent, `snapshot key ${key} exists`);
  return recordedContent[key];
}

/** The fixture's `{CreateFunctionResponse: ..., CreateEventSourceMappingResponse: null}` wrapper is LocalStack's, not AWS's. */
export function createEntry(recordedContent: Record<string, unknown>, key: string): unknown {
  return (entry(recordedContent, key) as { CreateFunctionResponse: unknown }).CreateFunctionResponse;
}

export interface ConformanceSession {
  readonly server: TestServer;
  readonly lambda: LambdaClient;
  /** Functions to delete when the file's tests end. */
  readonly created: Set<string>;
  /** Sends one command through the SDK and returns the raw HTTP response (success or AWS error alike). */
  send(command: { readonly input: object }): Promise<WireResponse>;
  /** CreateFunction with `input` as given; the function is deleted at the end. */
  create(input: CreateFunctionCommandInput): Promise<WireResponse>;
  /**
   * LocalStack's `create_lambda_function` fixture: python handler `handler.handler`, Timeout 30, an empty
   * Environment, and the test's extra arguments. Its snapshots wrap the response as `{CreateFunctionResponse: ...}`.
   */
  createPython(name: string, extra?: Partial<CreateFunctionCommandInput>): Promise<WireResponse>;
  waitActive(name: string): Promise<void>;
  waitUpdated(name: string): Promise<void>;
}

/** Registers before/after hooks that start a server for the file; the session is usable inside tests. */
export function conformanceSession(): ConformanceSession {
  let server: TestServer | undefined;
  let lambda: LambdaClient | undefined;
  let wire: WireRecorder | undefined;
  const created = new Set<string>();
  const need = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the conformance session is used outside its tests');
    return v;
  };
  before(async () => {
    server = await startTestServer();
    lambda = new LambdaClient({ endpoint: server.url, region: REGION, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    wire = new WireRecorder().attach(lambda);
  });
  after(async () => {
    for (const name of created) await need(lambda).send(new DeleteFunctionCommand({ FunctionName: name })).catch(() => undefined);
    need(lambda).destroy();
    await need(server).stop();
  });
  const session: ConformanceSession = {
    get server() { return need(server); },
    get lambda() { return need(lambda); },
    created,
    // Any Lambda command: the SDK's per-command overloads do not accept a union, and the output type is not used.
    send: (command) => need(wire).capture(() => need(lambda).send(command as never)),
    async create(input) {
      const response = await session.send(new CreateFunctionCommand(input));
      if (response.status === 201 && input.FunctionName !== undefined) created.add(input.FunctionName);
      return response;
    },
    async createPython(name, extra = {}) {
      return session.create({
        FunctionName: name, Runtime: 'python3.12', Handler: 'handler.handler', Role: TEST_ROLE, Code: { ZipFile: await pyEcho() },
        Timeout: 30, Environment: { Variables: {} }, ...extra,
      });
    },
    async waitActive(name) {
      await waitUntilFunctionActiveV2({ client: need(lambda), maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
    },
    async waitUpdated(name) {
      await waitUntilFunctionUpdatedV2({ client: need(lambda), maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
    },
  };
  return session;
}
