// Response streaming's pure parts and the Runtime API's streamed /response: the event-stream framing (CRC-32,
// layout), the http-integration prelude parser function URLs use, and chunks forwarded to the caller's sink as
// they arrive (before the runtime's last chunk), the streamed limit (413), a stream broken off (truncated).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { crc32, encodeEvent, tableCrc32 } from '../../src/api/event-stream.js';
import { MAX_RESPONSE_BYTES } from '../../src/engine/runtime-api.js';
import { StreamedReply } from '../../src/engine/streamed-reply.js';
import { encodePrelude, MAX_STREAMED_RESPONSE_BYTES, parsePrelude, PreludeReader } from '../../src/model/index.js';
import { assertJson, chunk, EVENT, handOut, lastChunk, OK, open, R, startApi, type TestApi } from '../helpers/runtime-api-harness.js';

describe('event-stream framing', () => {
  it('CRC-32 is zlib\'s (check value of "123456789")', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(tableCrc32(Buffer.from('123456789')), 0xcbf43926, 'the fallback for Node < 20.15');
    const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff));
    assert.equal(tableCrc32(bytes.subarray(1000), tableCrc32(bytes.subarray(0, 1000))), crc32(bytes), 'seeded continuation');
  });

  it('a PayloadChunk message: lengths, prelude CRC, string headers in order, payload, message CRC', () => {
    const msg = encodeEvent('PayloadChunk', 'application/octet-stream', Buffer.from('hi'));
    const total = msg.readUInt32BE(0);
    const headersLength = msg.readUInt32BE(4);
    assert.equal(total, msg.length);
    assert.equal(msg.readUInt32BE(8), crc32(msg.subarray(0, 8)));
    assert.equal(msg.readUInt32BE(total - 4), crc32(msg.subarray(0, total - 4)));
    const headers: Array<[string, string]> = [];
    for (let at = 12; at < 12 + headersLength;) {
      const nameLength = msg.readUInt8(at);
      const name = msg.subarray(at + 1, at + 1 + nameLength).toString();
      assert.equal(msg.readUInt8(at + 1 + nameLength), 7, 'string header');
      const valueLength = msg.readUInt16BE(at + 2 + nameLength);
      headers.push([name, msg.subarray(at + 4 + nameLength, at + 4 + nameLength + valueLength).toString()]);
      at += 4 + nameLength + valueLength;
    }
    assert.deepEqual(headers, [[':event-type', 'PayloadChunk'], [':content-type', 'application/octet-stream'], [':message-type', 'event']]);
    assert.equal(msg.subarray(12 + headersLength, total - 4).toString(), 'hi');
  });
});

describe('http-integration-response prelude', () => {
  const prelude = { statusCode: 404, headers: { 'content-type': 'text/html' }, cookies: ['a=b'] };
  const stream = Buffer.concat([encodePrelude(prelude), Buffer.from('<p>gone</p>')]);

  it('encodes as AWS\'s runtime does: JSON text then 8 NUL bytes', () => {
    assert.deepEqual(encodePrelude(prelude), Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8)]));
  });

  it('parses the prelude and hands back the body bytes after it', () => {
    const parsed = parsePrelude(stream);
    assert.equal(parsed.kind, 'complete');
    if (parsed.kind !== 'complete') return;
    assert.deepEqual(parsed.prelude, prelude);
    assert.equal(parsed.body.toString(), '<p>gone</p>');
  });

  it('is incomplete until the whole delimiter has arrived, whatever the chunking', () => {
    for (let split = 1; split < stream.length; split += 7) {
      const reader = new PreludeReader();
      assert.equal(reader.push(stream.subarray(0, split)).kind, split >= encodePrelude(prelude).length ? 'complete' : 'incomplete');
    }
    const reader = new PreludeReader();
    const cut = JSON.stringify(prelude).length + 3; // inside the delimiter
    assert.equal(reader.push(stream.subarray(0, cut)).kind, 'incomplete');
    const done = reader.push(stream.subarray(cut));
    assert.equal(done.kind === 'complete' && done.body.toString(), '<p>gone</p>');
  });

  it('a prelude that is not a JSON object is invalid', () => {
    assert.equal(parsePrelude(Buffer.concat([Buffer.from('[1]'), Buffer.alloc(8)])).kind, 'invalid');
    assert.equal(parsePrelude(Buffer.concat([Buffer.from('{oops'), Buffer.alloc(8)])).kind, 'invalid');
  });
});

describe('streamed response limits', () => {
  const MiB = Buffer.alloc(1024 * 1024);
  const settled: string[] = [];
  const reply = (sink: ConstructorParameters<typeof StreamedReply>[0]) =>
    new StreamedReply(sink, 'application/octet-stream', () => true, (end) => {
      settled.push(end.kind === 'ok' ? `ok ${end.payload.length}` : end.errorType);
      return 'accepted';
    });

  it('to a caller: 200 MiB pass, one byte more is too large', () => {
    let forwarded = 0;
    const r = reply({ start: () => {}, write: (c) => void (forwarded += c.length) });
    for (let i = 0; i < MAX_STREAMED_RESPONSE_BYTES / MiB.length; i++) assert.equal(r.write(MiB), 'ok');
    assert.equal(r.write(Buffer.alloc(1)), 'too-large');
    assert.equal(forwarded, 200 * 1024 * 1024);
  });

  it('buffered for a plain Invoke: 6291556 bytes pass whole, one more is too large', () => {
    const whole = reply(undefined);
    assert.equal(whole.write(Buffer.alloc(MAX_RESPONSE_BYTES)), 'ok');
    whole.end(undefined);
    const over = reply(undefined);
    assert.equal(over.write(Buffer.alloc(MAX_RESPONSE_BYTES + 1)), 'too-large');
    assert.deepEqual(settled, [`ok ${MAX_RESPONSE_BYTES}`]);
  });
});

describe('Runtime API: a streamed /response', () => {
  let t: TestApi;
  beforeEach(async () => {
    t = await startApi();
  });
  afterEach(async () => {
    await t.close();
  });
  const STREAMING = { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked', 'Content-Type': 'text/plain' };

  it('hands each chunk to the caller\'s sink before the runtime has sent the next one', async () => {
    const received: string[] = [];
    let started: unknown;
    let onChunk: () => void = () => {};
    t.fake.sink = {
      start: (info) => (started = info),
      write: (c) => {
        received.push(c.toString());
        onChunk();
        return undefined;
      },
    };
    await handOut(t);
    const req = open(t.port, 'POST', `${R}/invocation/${EVENT.requestId}/response`, STREAMING);
    const first = new Promise<void>((resolve) => (onChunk = resolve));
    req.socket.write(chunk('one;'));
    await first; // the runtime has not finished its upload
    assert.deepEqual(received, ['one;']);
    assert.deepEqual(started, { contentType: 'text/plain', executedVersion: '$LATEST' });
    req.socket.write(chunk('two'));
    req.socket.write(lastChunk());
    assertJson(await req.reply, 202, OK);
    assert.deepEqual(received, ['one;', 'two']);
    assert.deepEqual(t.fake.calls, [{ kind: 'response', requestId: EVENT.requestId, body: '', contentType: 'text/plain' }]);
  });

  it('waits for a slow caller: the stream is not settled while the sink holds a chunk', async () => {
    let release: () => void = () => {};
    let firstArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    const received: string[] = [];
    t.fake.sink = {
      start: () => {},
      write: (c) => {
        received.push(c.toString());
        if (received.length > 1) return undefined;
        firstArrived();
        return new Promise<void>((resolve) => (release = resolve));
      },
    };
    await handOut(t);
    const req = open(t.port, 'POST', `${R}/invocation/${EVENT.requestId}/response`, STREAMING);
    req.socket.write(Buffer.concat([chunk('a'), chunk('b'), Buffer.from(lastChunk())]));
    await arrived;
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(t.fake.calls, [], 'not settled while the caller holds the first chunk');
    assert.deepEqual(received, ['a']);
    release();
    assertJson(await req.reply, 202, OK);
    assert.deepEqual(received, ['a', 'b']);
  });

  it('a stream broken off part-way settles the invocation as Runtime.TruncatedResponse', async () => {
    let firstArrived: () => void = () => {};
    const arrived = new Promise<void>((resolve) => (firstArrived = resolve));
    t.fake.sink = { start: () => {}, write: () => void firstArrived() };
    await handOut(t);
    const req = open(t.port, 'POST', `${R}/invocation/${EVENT.requestId}/response`, STREAMING);
    req.reply.catch(() => {});
    req.socket.write(chunk('partial'));
    await arrived;
    req.socket.destroy();
    while (t.fake.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(t.fake.calls[0]?.kind === 'error' && t.fake.calls[0].errorType, 'Runtime.TruncatedResponse');
  });
});
