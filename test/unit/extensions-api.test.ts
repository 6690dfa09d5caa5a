// The Extensions API 2020-01-01 (spec/lambda-wire.md b.3) against a real listener, with a fake environment behind
// it that records what it is told: registration of external and internal extensions, the event long poll and the
// extension states RIE enforces (403 Extension.InvalidExtensionState), init/error and exit/error.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type Extension, ExtensionsApi, type ExtensionsApiHost } from '../../src/engine/extensions-api.js';

interface Reply { status: number; headers: Headers; body: string }

describe('Extensions API state rules', () => {
  let server: Server;
  let base = '';
  let api: ExtensionsApi;
  let open = true;
  const told: string[] = [];
  const host: ExtensionsApiHost = {
    registrationOpen: () => open,
    isExternal: (name) => name === 'ext-a' || name === 'ext-b',
    metadata: () => ({ functionName: 'fn', functionVersion: '$LATEST', handler: 'index.handler', accountId: '123456789012' }),
    registered: (ext) => void told.push(`registered ${ext.name}`),
    ready: (ext, finished) => void told.push(`ready ${ext.name} ${finished}`),
    failed: (ext, kind, errorType) => void told.push(`failed ${ext.name} ${kind} ${errorType}`),
    subscribe: () => ({ status: 200, body: 'OK' }),
  };

  before(async () => {
    server = createServer((req, res) => {
      if (!api.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    api = new ExtensionsApi(host);
    open = true;
    told.length = 0;
  });

  const call = async (method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> => {
    const res = await fetch(`${base}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    return { status: res.status, headers: res.headers, body: await res.text() };
  };
  const register = (name: string, events: string[], headers: Record<string, string> = {}) =>
    call('POST', '/2020-01-01/extension/register', { 'Lambda-Extension-Name': name, ...headers }, JSON.stringify({ events }));
  /** Until the server has taken the extension's /next (requests travel a real socket). */
  const parkedAt = async (ext: Extension | undefined): Promise<void> => {
    for (let i = 0; i < 500 && ext?.parked === undefined; i++) await new Promise((r) => setTimeout(r, 2));
  };
  const idOf = (r: Reply): string => r.headers.get('lambda-extension-identifier') ?? '';
  const forbidden = (errorType: string, errorMessage: string) => JSON.stringify({ errorMessage, errorType });

  it('registers an external extension with its identifier and the function metadata (accountId on request)', async () => {
    const r = await register('ext-a', ['INVOKE', 'SHUTDOWN'], { 'Lambda-Extension-Accept-Feature': 'accountId' });
    assert.equal(r.status, 200);
    assert.match(idOf(r), /^[0-9a-f-]{36}$/);
    assert.equal(r.headers.get('content-type'), 'application/json');
    assert.equal(r.body, '{"functionName":"fn","functionVersion":"$LATEST","handler":"index.handler","accountId":"123456789012"}');
    assert.deepEqual(told, ['registered ext-a']);
    const again = await register('ext-a', ['INVOKE']);
    assert.deepEqual([again.status, again.body], [403, forbidden('Extension.InvalidExtensionState', 'State transition from Registered to Registered failed for extension ext-a. Error: State transition is not allowed')]);
    const bad = await register('ext-b', ['INVOKE', 'BOGUS']);
    assert.deepEqual([bad.status, bad.body], [403, forbidden('Extension.InvalidEventType', 'BOGUS: ErrorInvalidEventType')]);
  });

  it('closes internal registration after init and caps the number of extensions at 10', async () => {
    for (let i = 0; i < 10; i++) assert.equal((await register(`internal-${i}`, ['INVOKE'])).status, 200);
    const eleventh = await register('internal-10', ['INVOKE']);
    assert.deepEqual([eleventh.status, eleventh.body], [403, forbidden('Extension.TooManyExtensions', 'Extension limit (10) reached')]);
    const twice = await register('internal-0', ['INVOKE']);
    assert.deepEqual([twice.status, twice.body], [403, forbidden('Extension.InvalidExtensionState', 'Extension with this name already registered')]);
    open = false;
    const late = await register('internal-late', []);
    assert.deepEqual([late.status, late.body], [403, forbidden('Extension.RegistrationClosed', 'Extension registration closed already')]);
  });

  it('parks /next until an event, tells the host which event each /next finished, and hands a held event at the next /next', async () => {
    const id = idOf(await register('ext-a', ['INVOKE', 'SHUTDOWN']));
    const ext = api.extensions[0] as Extension;
    const first = call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
    await parkedAt(ext);
    assert.deepEqual(told, ['registered ext-a', 'ready ext-a INIT']);
    api.deliver(ext, 'INVOKE', { eventType: 'INVOKE', requestId: 'r1' });
    const invoke = await first;
    assert.equal(invoke.status, 200);
    assert.match(invoke.headers.get('lambda-extension-event-identifier') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(invoke.body, '{"eventType":"INVOKE","requestId":"r1"}');
    assert.equal(ext.state, 'Running');
    // SHUTDOWN while it is still busy with INVOKE: its next /next ends INVOKE and gets SHUTDOWN at once.
    api.deliver(ext, 'SHUTDOWN', { eventType: 'SHUTDOWN' });
    const shutdown = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': id });
    assert.equal(shutdown.body, '{"eventType":"SHUTDOWN"}');
    assert.deepEqual(told.slice(2), ['ready ext-a INVOKE']);
    assert.equal(ext.current, 'SHUTDOWN');
  });

  it('accepts init/error only before the first /next, and exit/error until one of them was reported', async () => {
    const a = idOf(await register('ext-a', ['INVOKE']));
    const errorHeaders = (id: string) => ({ 'Lambda-Extension-Identifier': id, 'Lambda-Extension-Function-Error-Type': 'Extension.Broken' });
    const initError = await call('POST', '/2020-01-01/extension/init/error', errorHeaders(a), '{"errorMessage":"x"}');
    assert.deepEqual([initError.status, initError.body], [202, '{"status":"OK"}']);
    assert.deepEqual(told.slice(1), ['failed ext-a init Extension.Broken']);
    const next = await call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': a });
    assert.deepEqual([next.status, next.body], [403, forbidden('Extension.InvalidExtensionState', `State transition from InitError to Ready failed for extension ${a}. Error: State transition is not allowed`)]);
    const exitAfterInit = await call('POST', '/2020-01-01/extension/exit/error', errorHeaders(a), '{}');
    assert.equal(exitAfterInit.status, 403);

    const b = idOf(await register('ext-b', ['INVOKE']));
    const parked = call('GET', '/2020-01-01/extension/event/next', { 'Lambda-Extension-Identifier': b });
    await parkedAt(api.extensions.find((e) => e.name === 'ext-b'));
    const lateInit = await call('POST', '/2020-01-01/extension/init/error', errorHeaders(b), '{}');
    assert.deepEqual([lateInit.status, lateInit.body], [403, forbidden('Extension.InvalidExtensionState', `State transition from Ready to InitError failed for extension ${b}. Error: State transition is not allowed`)]);
    const exitError = await call('POST', '/2020-01-01/extension/exit/error', errorHeaders(b), '{}');
    assert.equal(exitError.status, 202);
    await assert.rejects(parked, 'its parked /next is closed');
    assert.equal(told.at(-1), 'failed ext-b exit Extension.Broken');
  });
});
