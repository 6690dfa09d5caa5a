// Extensions API 2020-01-01 and Telemetry API 2022-07-01 end to end: real extensions (shell scripts with curl, a
// Node script) shipped in a layer's /opt/extensions run next to the runtime in its sandbox; they register before
// the runtime starts, receive INVOKE and SHUTDOWN with AWS's bodies, keep an invocation open until they ask for
// their next event (its timeout included), fail init as Extension.*, and a Telemetry subscriber receives the
// platform events, the function's log lines and the extensions' own.
import { PublishLayerVersionCommand, PutFunctionConcurrencyCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { functionLogMessages, isSandboxed, startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

const EXTENSIONS = fileURLToPath(new URL('../../../test/fixtures/extensions/', import.meta.url));

/** A layer holding the given fixture extensions at extensions/<name>, executable, as users package them. */
async function extensionLayer(server: TestServer, layerName: string, names: string[]): Promise<string> {
  const files = Object.fromEntries(names.map((n) => [`extensions/${n}`, { content: readFileSync(join(EXTENSIONS, n)), mode: 0o755 }]));
  const out = await server.lambda.send(new PublishLayerVersionCommand({ LayerName: layerName, Content: { ZipFile: await makeZip(files) } }));
  return out.LayerVersionArn ?? '';
}

async function deployWith(server: TestServer, fn: string, layers: string[], handler: string, extra: Record<string, unknown> = {}): Promise<void> {
  await deployFixture(server.lambda, 'echo', fn, { Code: { ZipFile: await makeZip({ 'index.js': handler }) }, Layers: layers, ...extra });
}

const ECHO = "exports.handler = async (event) => { console.log('handler saw', JSON.stringify(event)); return { ok: true }; };\n";

function requestIdOf(log: string): string {
  const m = /START RequestId: (\S+)/.exec(log);
  assert.ok(m?.[1], log);
  return m[1];
}

describe('extensions and telemetry', () => {
  let server: TestServer;
  let isolated = false;
  before(async () => {
    server = await startTestServer();
    isolated = await isSandboxed(server);
  });
  after(() => server.stop());

  const logMessages = (fn: string): Promise<string[]> => functionLogMessages(server, fn);

  /** The function's log messages once one matches `pattern` (log writes are batched; a bounded wait, no timing asserted). */
  const logsOnceMatching = async (fn: string, pattern: RegExp): Promise<string[]> => {
    for (let i = 0; i < 100; i++) {
      const messages = await logMessages(fn);
      if (messages.some((m) => pattern.test(m))) return messages;
      await new Promise((r) => setTimeout(r, 100));
    }
    return logMessages(fn);
  };

  it('registers a shell extension before the runtime, hands it INVOKE and, when the environment is retired, SHUTDOWN', async () => {
    const layer = await extensionLayer(server, 'shell-ext', ['shell-ext']);
    await deployWith(server, 'with-shell-ext', [layer], ECHO);
    const first = await invoke(server.lambda, 'with-shell-ext', { n: 1 });
    assert.equal(first.functionError, undefined, first.payloadText);
    assert.deepEqual(first.payload, { ok: true });
    const requestId = requestIdOf(first.log);
    // A configuration change retires the environment: its extension gets SHUTDOWN (spindown) before it is killed.
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'with-shell-ext', Description: 'v2' }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'with-shell-ext' });
    await invoke(server.lambda, 'with-shell-ext', { n: 2 });
    const messages = await logsOnceMatching('with-shell-ext', /\[shell-ext\] bye/);
    assert.equal(messages.filter((m) => m.startsWith('INIT_START')).length, 2, 'a new environment');

    const registered = messages.find((m) => m.startsWith('[shell-ext] registered '));
    assert.ok(registered, messages.join('\n'));
    assert.deepEqual(JSON.parse(registered.slice('[shell-ext] registered '.length)), { functionName: 'with-shell-ext', functionVersion: '$LATEST', handler: 'index.handler' });
    // The extension registered (and so started) before the runtime ran the handler.
    assert.ok(messages.indexOf(registered) < messages.findIndex((m) => m.includes('handler saw')), messages.join('\n'));

    const events = messages.filter((m) => m.startsWith('[shell-ext] event ')).map((m) => JSON.parse(m.slice('[shell-ext] event '.length)) as Record<string, unknown>);
    const invokeEvent = events.find((e) => e['requestId'] === requestId);
    assert.ok(invokeEvent, messages.join('\n'));
    assert.deepEqual(Object.keys(invokeEvent), ['eventType', 'deadlineMs', 'requestId', 'invokedFunctionArn', 'tracing']);
    assert.equal(invokeEvent['eventType'], 'INVOKE');
    assert.equal(invokeEvent['invokedFunctionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:with-shell-ext');
    assert.equal(typeof invokeEvent['deadlineMs'], 'number');
    const tracing = invokeEvent['tracing'] as { type: string; value: string };
    assert.equal(tracing.type, 'X-Amzn-Trace-Id');
    assert.match(tracing.value, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24}/);
    const shutdown = events.find((e) => e['eventType'] === 'SHUTDOWN');
    assert.ok(shutdown, messages.join('\n'));
    assert.deepEqual(Object.keys(shutdown), ['eventType', 'deadlineMs', 'shutdownReason']);
    assert.equal(shutdown['shutdownReason'], 'spindown');
    assert.equal(typeof shutdown['deadlineMs'], 'number');
  });

  it('sends SHUTDOWN (failure) to the extensions of an environment whose runtime crashed', async () => {
    const layer = await extensionLayer(server, 'shell-ext-3', ['shell-ext']);
    await deployWith(server, 'crash-with-ext', [layer], "exports.handler = async () => { process.exit(3); };\n");
    const result = await invoke(server.lambda, 'crash-with-ext', {});
    assert.equal(result.functionError, 'Unhandled');
    const requestId = requestIdOf(result.log);
    assert.deepEqual(result.payload, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });
    const messages = await logsOnceMatching('crash-with-ext', /\[shell-ext\] bye/);
    const shutdown = messages.find((m) => m.startsWith('[shell-ext] event {"eventType":"SHUTDOWN"'));
    assert.equal((JSON.parse(shutdown?.slice('[shell-ext] event '.length) ?? '{}') as { shutdownReason?: string }).shutdownReason, 'failure', messages.join('\n'));
  });

  it('runs the same extension next to a Python and a custom runtime', async () => {
    const layer = await extensionLayer(server, 'shell-ext-2', ['shell-ext']);
    await deployFixture(server.lambda, 'python-echo', 'py-with-ext', { Runtime: 'python3.12', Handler: 'index.handler', Layers: [layer] });
    await deployFixture(server.lambda, 'provided-shell', 'custom-with-ext', { Runtime: 'provided.al2023', Handler: 'function.handler', Layers: [layer] });
    for (const fn of ['py-with-ext', 'custom-with-ext']) {
      const result = await invoke(server.lambda, fn, { hello: fn });
      assert.equal(result.functionError, undefined, result.payloadText);
      const requestId = requestIdOf(result.log);
      const messages = await logsOnceMatching(fn, new RegExp(`^\\[shell-ext\\] event .*"requestId":"${requestId}"`));
      assert.ok(messages.some((m) => m.startsWith('[shell-ext] registered ')), messages.join('\n'));
      assert.ok(messages.some((m) => m.startsWith('[shell-ext] event {"eventType":"INVOKE"') && m.includes(requestId)), messages.join('\n'));
    }
  });

  it('delivers platform events, function log lines and extension log lines to a Telemetry API subscriber', async () => {
    const layer = await extensionLayer(server, 'telemetry-ext', ['telemetry-ext']);
    const handler = `const fs = require('node:fs');
const file = '/tmp/telemetry-' + process.env.AWS_LAMBDA_LOG_STREAM_NAME.replace(/[^A-Za-z0-9]/g, '') + '.jsonl';
const parse = (l) => { try { return JSON.parse(l); } catch { return []; } }; // a batch being appended is skipped
const read = () => { try { return fs.readFileSync(file, 'utf8').split('\\n').filter(Boolean).flatMap(parse); } catch { return []; } };
exports.handler = async (event) => {
  console.log('hello from the handler');
  if (!event.reportFor) return { ok: true };
  for (let i = 0; i < 100 && !read().some((e) => e.type === 'platform.report' && e.record.requestId === event.reportFor); i++) await new Promise((r) => setTimeout(r, 50));
  return read();
};
`;
    await deployWith(server, 'with-telemetry', [layer], handler, { MemorySize: 256 });
    const first = await invoke(server.lambda, 'with-telemetry', {});
    assert.equal(first.functionError, undefined, first.payloadText);
    const firstId = requestIdOf(first.log);
    // The first invocation is over (its REPORT written) once the extension has asked for its next event: the
    // second one then reuses its environment, whose /tmp holds what the subscriber received.
    await logsOnceMatching('with-telemetry', new RegExp(`^REPORT RequestId: ${firstId}\t`));
    const second = await invoke(server.lambda, 'with-telemetry', { reportFor: firstId });
    assert.equal(second.functionError, undefined, second.payloadText);
    assert.equal((await logMessages('with-telemetry')).filter((m) => m.startsWith('INIT_START')).length, 1, 'the same environment');
    const events = second.payload as Array<{ time: string; type: string; record: Record<string, unknown> }>;
    const of = (type: string) => events.filter((e) => e.type === type);

    const listener = of('test.listener')[0]?.record;
    if (isolated) assert.equal(listener?.['resolved'], '127.0.0.1', 'sandbox.localdomain is the environment loopback');
    for (const e of events.filter((x) => x.type !== 'test.listener')) {
      assert.match(e.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.deepEqual(Object.keys(e), ['time', 'type', 'record']);
    }
    const initStart = of('platform.initStart')[0]?.record;
    assert.ok(initStart, JSON.stringify(events));
    assert.equal(initStart['functionName'], 'with-telemetry');
    assert.equal(initStart['functionVersion'], '$LATEST');
    assert.equal(initStart['initializationType'], 'on-demand');
    assert.equal(initStart['phase'], 'init');
    assert.equal(of('platform.initRuntimeDone')[0]?.record['status'], 'success');
    const initReport = of('platform.initReport')[0]?.record as { metrics: { durationMs: number } } | undefined;
    assert.equal(typeof initReport?.metrics.durationMs, 'number');

    const start = of('platform.start').find((e) => e.record['requestId'] === firstId)?.record;
    assert.equal(start?.['version'], '$LATEST');
    const runtimeDone = of('platform.runtimeDone').find((e) => e.record['requestId'] === firstId)?.record as { status: string; metrics: Record<string, number> } | undefined;
    assert.equal(runtimeDone?.status, 'success');
    assert.deepEqual(Object.keys(runtimeDone.metrics), ['durationMs', 'producedBytes']);
    assert.equal(runtimeDone.metrics['producedBytes'], Buffer.byteLength(JSON.stringify({ ok: true })));
    const report = of('platform.report').find((e) => e.record['requestId'] === firstId)?.record as { status: string; metrics: Record<string, number> } | undefined;
    assert.equal(report?.status, 'success');
    assert.deepEqual(Object.keys(report.metrics), ['durationMs', 'billedDurationMs', 'memorySizeMB', 'maxMemoryUsedMB', 'initDurationMs']);
    assert.equal(report.metrics['memorySizeMB'], 256);
    assert.equal(report.metrics['billedDurationMs'], Math.ceil(report.metrics['durationMs'] ?? NaN));

    assert.ok(of('function').some((e) => String(e.record).includes('hello from the handler')), JSON.stringify(of('function')));
    const extensionLines = of('extension').map((e) => String(e.record));
    assert.ok(extensionLines.includes('[telemetry-ext] subscribed: 200 OK'), JSON.stringify(extensionLines));
    const refused = extensionLines.find((l) => l.startsWith('[telemetry-ext] refused: '));
    assert.match(refused ?? '', /^\[telemetry-ext\] refused: 400 \{"errorMessage":"[^"]+","errorType":"ValidationError"\}$/);
  });

  it('lets an extension that never asks for its next event time the invocation out, after the caller has the response', async () => {
    const layer = await extensionLayer(server, 'stuck-ext', ['stuck-ext']);
    await deployWith(server, 'with-stuck-ext', [layer], ECHO, { Timeout: 1 });
    const first = await invoke(server.lambda, 'with-stuck-ext', {});
    assert.equal(first.functionError, undefined, first.payloadText);
    assert.deepEqual(first.payload, { ok: true });
    const requestId = requestIdOf(first.log);
    const messages = await logsOnceMatching('with-stuck-ext', new RegExp(`^REPORT RequestId: ${requestId}\\t`));
    assert.ok(messages.some((m) => m.endsWith(`${requestId} Task timed out after 1.00 seconds`)), messages.join('\n'));
    const report = messages.find((m) => m.startsWith(`REPORT RequestId: ${requestId}\t`));
    assert.match(report ?? '', /Status: timeout/);
    // The environment was reset: the next invocation starts a new one.
    await invoke(server.lambda, 'with-stuck-ext', {});
    assert.equal((await logMessages('with-stuck-ext')).filter((m) => m.startsWith('INIT_START')).length, 2);
  });

  it('keeps the concurrency slot while an extension is still at work after the response', async () => {
    const layer = await extensionLayer(server, 'stuck-ext-2', ['stuck-ext']);
    await deployWith(server, 'stuck-reserved', [layer], ECHO, { Timeout: 60 });
    await server.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'stuck-reserved', ReservedConcurrentExecutions: 1 }));
    const first = await invoke(server.lambda, 'stuck-reserved', {});
    assert.deepEqual(first.payload, { ok: true });
    // The extension never asks for its next event: the environment, and the function's only slot, stay busy.
    await assert.rejects(invoke(server.lambda, 'stuck-reserved', {}), (err: Error) => err.name === 'TooManyRequestsException');
  });

  it('fails the invocation with Extension.InitError when an extension reports an init error', async () => {
    const layer = await extensionLayer(server, 'failing-ext', ['failing-ext']);
    await deployWith(server, 'with-failing-ext', [layer], ECHO);
    const result = await invoke(server.lambda, 'with-failing-ext', {});
    assert.equal(result.functionError, 'Unhandled');
    const payload = result.payload as { errorType: string; errorMessage: string };
    assert.equal(payload.errorType, 'Extension.InitError');
    assert.match(payload.errorMessage, /^RequestId: \S+ Error: /);
    assert.match(result.log, /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Extension.InitError/);
    assert.doesNotMatch(result.log, /handler saw/);
  });

  it('fails the invocation with Extension.Crash when an extension exits during init', async () => {
    const crash = await server.lambda.send(new PublishLayerVersionCommand({
      LayerName: 'crash-ext', Content: { ZipFile: await makeZip({ 'extensions/crash-ext': { content: '#!/bin/sh\necho "[crash-ext] cannot start"\nexit 3\n', mode: 0o755 } }) },
    }));
    await deployWith(server, 'with-crash-ext', [crash.LayerVersionArn ?? ''], ECHO);
    const result = await invoke(server.lambda, 'with-crash-ext', {});
    assert.equal(result.functionError, 'Unhandled');
    const requestId = requestIdOf(result.log);
    assert.deepEqual(result.payload, { errorType: 'Extension.Crash', errorMessage: `RequestId: ${requestId} Error: exit status 3` });
    assert.match(result.log, /Status: error\tError Type: Extension.Crash/);
  });

  it('answers the Extensions and Telemetry APIs\' refusals as AWS does', async () => {
    const handler = `exports.handler = async () => {
  const api = 'http://' + process.env.AWS_LAMBDA_RUNTIME_API;
  const call = async (method, path, headers = {}, body) => {
    const res = await fetch(api + path, { method, headers, body });
    return { status: res.status, body: await res.text() };
  };
  const id = '11111111-2222-3333-4444-555555555555';
  return {
    nextWithoutId: await call('GET', '/2020-01-01/extension/event/next'),
    nextBadId: await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': 'nope' }),
    nextUnknownId: await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id }),
    registerNoName: await call('POST', '/2020-01-01/extension/register', {}, '{"events":["INVOKE"]}'),
    registerNoBody: await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }),
    registerLate: await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }, '{"events":["INVOKE"]}'),
    registerInternalShutdown: await call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': 'late' }, '{"events":["SHUTDOWN"]}'),
    initErrorNoType: await call('POST', '/2020-01-01/extension/init/error', { 'Lambda-Extension-Identifier': id }, '{}'),
    telemetryUnknownId: await call('PUT', '/2022-07-01/telemetry', { 'Lambda-Extension-Identifier': id }, '{}'),
    logsUnknownId: await call('PUT', '/2020-08-15/logs', { 'Lambda-Extension-Identifier': id }, '{}'),
    wrongMethod: await call('GET', '/2020-01-01/extension/register'),
  };
};
`;
    // A full vCPU: fetch's first use is CPU-heavy and the default 128 MB gets 7 % of one.
    await deployWith(server, 'ext-api-errors', [], handler, { MemorySize: 1769 });
    const result = await invoke(server.lambda, 'ext-api-errors', {});
    assert.equal(result.functionError, undefined, result.payloadText);
    const r = result.payload as Record<string, { status: number; body: string }>;
    const forbidden = (errorType: string, errorMessage: string) => ({ status: 403, body: JSON.stringify({ errorMessage, errorType }) });
    assert.deepEqual(r['nextWithoutId'], forbidden('Extension.MissingExtensionIdentifier', 'Missing Lambda-Extension-Identifier header'));
    assert.deepEqual(r['nextBadId'], forbidden('Extension.InvalidExtensionIdentifier', 'Invalid Lambda-Extension-Identifier'));
    assert.deepEqual(r['nextUnknownId'], forbidden('Extension.UnknownExtensionIdentifier', 'Unknown extension 11111111-2222-3333-4444-555555555555'));
    assert.deepEqual(r['registerNoName'], forbidden('Extension.InvalidExtensionName', 'Empty extension name'));
    assert.deepEqual(r['registerNoBody'], forbidden('InvalidRequestFormat', 'unexpected end of JSON input'));
    assert.deepEqual(r['registerLate'], forbidden('Extension.RegistrationClosed', 'Extension registration closed already'));
    assert.deepEqual(r['registerInternalShutdown'], forbidden('Extension.InvalidEventType', 'SHUTDOWN: ErrorInvalidEventType'));
    assert.deepEqual(r['initErrorNoType'], forbidden('Extension.MissingHeader', 'Lambda-Extension-Function-Error-Type not found'));
    assert.deepEqual(r['telemetryUnknownId'], forbidden('Extension.UnknownExtensionIdentifier', 'Unknown extension 11111111-2222-3333-4444-555555555555'));
    assert.deepEqual(r['logsUnknownId'], forbidden('Extension.UnknownExtensionIdentifier', 'Unknown extension 11111111-2222-3333-4444-555555555555'));
    assert.equal(r['wrongMethod']?.status, 405);
  });
});
