// AWS's event-stream framing (application/vnd.amazon.eventstream), the body of InvokeWithResponseStream
// (spec/lambda-wire.md a.6): each message is total length, headers length, a CRC-32 of those 8 bytes, the
// headers (name length, name, type 7 = string, value length, value), the payload and a CRC-32 of everything
// before it; integers big-endian. Encoding only: Nimbus never reads event streams.

import * as zlib from 'node:zlib';

/** Node ≥ 20.15 has a native CRC-32 (zlib's); older Node 20 releases use the table below. */
const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3, zlib's), as the event-stream prelude and message checksums use. */
export function crc32(bytes: Uint8Array, seed = 0): number {
  if (nativeCrc32 !== undefined) return nativeCrc32(bytes, seed);
  return tableCrc32(bytes, seed);
}

export function tableCrc32(bytes: Uint8Array, seed = 0): number {
  let c = (seed ^ 0xffffffff) >>> 0;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const STRING_TYPE = 7;

function encodeHeaders(headers: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat(headers.map(([name, value]) => {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(1 + n.length + 1 + 2);
    head.writeUInt8(n.length, 0);
    n.copy(head, 1);
    head.writeUInt8(STRING_TYPE, 1 + n.length);
    head.writeUInt16BE(v.length, 2 + n.length);
    return Buffer.concat([head, v]);
  }));
}

/** One event-stream message with string headers, in the order given. */
export function encodeMessage(headers: ReadonlyArray<readonly [string, string]>, payload: Uint8Array): Buffer {
  const h = encodeHeaders(headers);
  const total = 12 + h.length + payload.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(h.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  h.copy(out, 12);
  out.set(payload, 12 + h.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}

/** An `event` message of the given type, as Lambda orders the headers. */
export function encodeEvent(eventType: string, contentType: string, payload: Uint8Array): Buffer {
  return encodeMessage([[':event-type', eventType], [':content-type', contentType], [':message-type', 'event']], payload);
}
