// AWS's official Node.js runtime interface client (npm aws-lambda-ric 3.3.0, unmodified, built once per machine
// by scripts/build-ric.sh into .cache/aws-lambda-ric) as a provided.al2023 custom runtime: the package carries the
// client and a `bootstrap` that execs it with the handler, as AWS documents for custom Node images. The shared
// scenarios (echo, context, error, timeout) give the same results as the same handlers on nodejs20.x with
// Nimbus's own client, and the official client's response streaming works through InvokeWithResponseStream.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deployFixture, fixtureDir } from '../helpers/functions.js';
import { invoke, type InvokeResult } from '../helpers/invoke.js';
import { type TestServer, serverPerSuite } from '../helpers/server.js';
import { invokeStream } from '../helpers/stream-invoke.js';
import { makeZip, type ZipContent } from '../helpers/zip.js';

const RIC = fileURLToPath(new URL('../../../.cache/aws-lambda-ric/node_modules/aws-lambda-ric/', import.meta.url));
const RIC_FILES = ['package.json', 'bin/index.mjs', 'dist/index.mjs', 'dist/rapid-client.node'];
const BOOTSTRAP = '#!/bin/sh\n# The official client, started as AWS documents it for custom Node.js runtimes.\nexec node "$LAMBDA_TASK_ROOT/node_modules/aws-lambda-ric/bin/index.mjs" "$_HANDLER"\n';

/** A fixture's handler packaged with the official client and its bootstrap. */
function ricPackage(fixture: string): Promise<Buffer> {
  assert.ok(existsSync(`${RIC}dist/rapid-client.node`), `aws-lambda-ric is not built: run \`sh scripts/build-ric.sh\` (part of \`scripts/setup.sh --test\`); looked in ${RIC}`);
  const files: Record<string, ZipContent> = {
    bootstrap: { content: BOOTSTRAP, mode: 0o755 },
    'index.js': readFileSync(`${fixtureDir(fixture)}/index.js`),
  };
  for (const file of RIC_FILES) files[`node_modules/aws-lambda-ric/${file}`] = { content: readFileSync(`${RIC}${file}`), mode: file.endsWith('.node') ? 0o755 : 0o644 };
  return makeZip(files);
}

const CLIENT_CONTEXT = Buffer.from(JSON.stringify({ custom: { from: 'test' }, env: { locale: 'en' } })).toString('base64');

describe('aws-lambda-ric as a provided.al2023 runtime', () => {
  let server: TestServer;
  let isolated: boolean;
  serverPerSuite((s, sandboxed) => {
    server = s;
    isolated = sandboxed;
  });

  /** Deploys `fixture` twice (official client / Nimbus's client) and invokes both with the same event. */
  async function both(fixture: string, event: unknown, extra: { Timeout?: number } = {}): Promise<{ ric: InvokeResult; own: InvokeResult }> {
    await deployFixture(server.lambda, fixture, `ric-${fixture}`, { Runtime: 'provided.al2023', Handler: 'index.handler', Code: { ZipFile: await ricPackage(fixture) }, ...extra });
    await deployFixture(server.lambda, fixture, `own-${fixture}`, { Runtime: 'nodejs20.x', Handler: 'index.handler', ...extra });
    const [ric, own] = await Promise.all([`ric-${fixture}`, `own-${fixture}`].map((name) => invoke(server.lambda, name, event, { ClientContext: CLIENT_CONTEXT })));
    return { ric: ric as InvokeResult, own: own as InvokeResult };
  }

  it('echo: the event comes back unchanged, warm on the second call', async () => {
    const event = { a: [1, 2, { b: 'ü' }], n: null };
    const { ric, own } = await both('echo', event);
    assert.equal(ric.functionError, undefined, ric.payloadText);
    assert.deepEqual(ric.payload, event);
    assert.deepEqual(ric.payload, own.payload);
    // The official client's start-up line, written during init (so in the log stream, not in the tail).
    const logs = await fetch(server.url, {
      method: 'POST',
      headers: { 'X-Amz-Target': 'Logs_20140328.FilterLogEvents', 'Content-Type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ logGroupName: '/aws/lambda/ric-echo' }),
    });
    const { events } = (await logs.json()) as { events: Array<{ message: string }> };
    assert.ok(events.some((e) => /^Executing 'index\.handler' in function directory '\S+'$/.test(e.message)), JSON.stringify(events));
    const warm = await invoke(server.lambda, 'ric-echo', { again: true });
    assert.deepEqual(warm.payload, { again: true });
    assert.doesNotMatch(warm.log, /Init Duration/);
  });

  it('context: the same fields and values as Nimbus\'s own client (client context, ARN, memory, log names)', async () => {
    const { ric, own } = await both('context', {});
    assert.equal(ric.functionError, undefined, ric.payloadText);
    const r = ric.payload as Record<string, unknown> & { env: Record<string, string> };
    const o = own.payload as Record<string, unknown> & { env: Record<string, string> };
    assert.deepEqual(Object.keys(r).sort(), Object.keys(o).sort());
    for (const key of ['functionVersion', 'memoryLimitInMB', 'logGroupName', 'callbackWaitsForEmptyEventLoop', 'clientContext', 'identity', 'cwd']) {
      assert.deepEqual(String(JSON.stringify(r[key])).replaceAll('ric-', 'own-'), String(JSON.stringify(o[key])), key);
    }
    assert.deepEqual(r['clientContext'], { custom: { from: 'test' }, env: { locale: 'en' } });
    assert.equal(r['invokedFunctionArn'], String(o['invokedFunctionArn']).replace(':own-context', ':ric-context'));
    assert.match(String(r['awsRequestId']), /^[0-9a-f-]{36}$/);
    assert.ok(Number(r['remainingTimeInMillis']) > 0 && Number(r['remainingTimeInMillis']) <= 3000);
    assert.match(r.env['_X_AMZN_TRACE_ID'] ?? '', /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
    if (isolated) assert.equal(r['cwd'], '/var/task');
    // A custom runtime is not told it is a managed one.
    assert.equal(r.env['AWS_EXECUTION_ENV'], undefined);
    assert.equal(o.env['AWS_EXECUTION_ENV'], 'AWS_Lambda_nodejs20.x');
  });

  it('error: the same error payload and Invoke Error log line as Nimbus\'s own client', async () => {
    const { ric, own } = await both('throw', {});
    assert.equal(ric.functionError, 'Unhandled');
    const r = ric.payload as { errorType: string; errorMessage: string; trace: string[] };
    const o = own.payload as { errorType: string; errorMessage: string; trace: string[] };
    assert.deepEqual([r.errorType, r.errorMessage], ['TypeError', 'boom']);
    assert.deepEqual(Object.keys(r), Object.keys(o));
    assert.equal(r.trace[0], o.trace[0]);
    for (const result of [ric, own]) assert.match(result.log, /\tERROR\tInvoke Error \t\{"errorType":"TypeError","errorMessage":"boom","stack":\["TypeError: boom",/);
  });

  it('timeout: Sandbox.Timedout, and the environment is replaced', async () => {
    const { ric, own } = await both('timeout', {}, { Timeout: 1 });
    assert.equal(ric.functionError, 'Unhandled');
    const requestId = (result: InvokeResult) => /START RequestId: (\S+)/.exec(result.log)?.[1] ?? '';
    assert.deepEqual(ric.payload, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId(ric)} Error: Task timed out after 1.00 seconds` });
    assert.deepEqual(own.payload, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${requestId(own)} Error: Task timed out after 1.00 seconds` });
    assert.match(ric.log, /Status: timeout/);
  });

  it('response streaming with the official client: chunks before the end, a mid-stream failure in the trailers', async () => {
    await deployFixture(server.lambda, 'stream', 'ric-stream', { Runtime: 'provided.al2023', Handler: 'index.handler', Code: { ZipFile: await ricPackage('stream') }, Timeout: 20 });
    let release: () => void = () => {};
    const opened = new Promise<void>((resolve) => (release = resolve));
    const gate = createServer((_req, res) => void opened.then(() => res.end('go')));
    await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
    try {
      let first: string | undefined;
      const result = await invokeStream(server.lambda, 'ric-stream', { mode: 'gate', gate: `http://127.0.0.1:${(gate.address() as AddressInfo).port}/` }, {
        onFirstChunk: (chunk) => {
          first = chunk.toString('utf8');
          release();
        },
      });
      assert.equal(first, 'first chunk;');
      assert.equal(result.body.toString('utf8'), 'first chunk;second chunk');
      assert.equal(result.complete?.ErrorCode, undefined, result.complete?.ErrorDetails);
    } finally {
      gate.closeAllConnections();
      gate.close();
    }
    const failed = await invokeStream(server.lambda, 'ric-stream', { mode: 'throw' });
    assert.equal(failed.body.toString('utf8'), 'partial output;');
    assert.equal(failed.complete?.ErrorCode, 'Error');
    assert.equal(failed.complete?.ErrorDetails, 'failed mid-stream');
    const http = await invokeStream(server.lambda, 'ric-stream', { mode: 'http' });
    assert.deepEqual(http.body.subarray(0, http.body.indexOf(Buffer.alloc(8))).toString(), JSON.stringify({ statusCode: 201, headers: { 'x-custom': 'yes' }, cookies: ['a=1'] }));
  });
});
