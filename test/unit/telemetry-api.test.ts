// The Telemetry API's subscription rules and delivery (spec/lambda-wire.md b.4): what a subscription is checked
// against, that batches are JSON arrays of {time, type, record} filtered by the subscribed types, that init's
// events reach a subscriber that arrives during init, and that maxItems cuts batches. A real local HTTP listener
// plays the subscriber.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TelemetryHub } from '../../src/engine/telemetry-api.js';

const body = (o: unknown): Buffer => Buffer.from(JSON.stringify(o));

describe('Telemetry API subscriptions and deliveries', () => {
  let listener: Server;
  let port = 0;
  const received: Array<{ path: string; batch: Array<{ time: string; type: string; record: unknown }> }> = [];
  before(async () => {
    listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', batch: JSON.parse(Buffer.concat(chunks).toString()) as never });
        res.end();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as AddressInfo).port;
  });
  after(() => listener.close());

  const subscription = (extra: Record<string, unknown> = {}) => ({
    schemaVersion: '2022-12-13', destination: { protocol: 'HTTP', URI: `http://sandbox.localdomain:${port}/in` }, types: ['platform', 'function'], ...extra,
  });

  it('refuses subscriptions AWS refuses, with 400 ValidationError', () => {
    const hub = new TelemetryHub();
    const refused = [
      'not json',
      body(subscription({ schemaVersion: '2020-01-01' })),
      body(subscription({ destination: { protocol: 'UDP', URI: 'http://sandbox.localdomain:1' } })),
      body(subscription({ destination: { protocol: 'HTTP', URI: 'http://example.com:1/' } })),
      body(subscription({ types: [] })),
      body(subscription({ types: ['platform', 'logs'] })),
      body(subscription({ buffering: { maxItems: 999 } })),
      body(subscription({ buffering: { maxItems: 10001 } })),
      body(subscription({ buffering: { maxBytes: 262143 } })),
      body(subscription({ buffering: { maxBytes: 1048577 } })),
      body(subscription({ buffering: { timeoutMs: 24 } })),
      body(subscription({ buffering: { timeoutMs: 30001 } })),
    ];
    for (const input of refused) {
      const answer = hub.subscribe('ext', typeof input === 'string' ? Buffer.from(input) : input);
      assert.equal(answer.status, 400, String(input));
      assert.equal((answer.body as { errorType: string }).errorType, 'ValidationError');
    }
    assert.equal(hub.active, false);
    assert.deepEqual(hub.subscribe('ext', body(subscription({ buffering: { maxItems: 10000, maxBytes: 1048576, timeoutMs: 25 } }))), { status: 200, body: 'OK' });
    hub.close();
  });

  it('hands init\'s events to a subscriber that arrives during init, filters by type, and cuts batches at maxItems', async () => {
    received.length = 0;
    const hub = new TelemetryHub();
    hub.emit('platform', 'platform.initStart', { phase: 'init' }, Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    hub.emit('extension', 'extension', 'not subscribed');
    hub.subscribe('ext', body(subscription({ buffering: { maxItems: 1000, timeoutMs: 30000 } })));
    hub.endBacklog();
    for (let i = 0; i < 1000; i++) hub.emit('function', 'function', `line ${i}`);
    hub.emit('platform', 'platform.report', { requestId: 'r' });
    await hub.flush();
    hub.close();
    assert.deepEqual(received.map((r) => [r.path, r.batch.length]), [['/in', 1000], ['/in', 2]]);
    const all = received.flatMap((r) => r.batch);
    assert.deepEqual(all[0], { time: '2026-01-02T03:04:05.006Z', type: 'platform.initStart', record: { phase: 'init' } });
    assert.equal(all.some((e) => e.type === 'extension'), false);
    assert.deepEqual(all.slice(-2).map((e) => e.record), ['line 999', { requestId: 'r' }]);
  });
});
