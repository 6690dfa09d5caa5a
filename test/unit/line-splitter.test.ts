// LineSplitter: one callback per line, multi-byte characters across chunk boundaries, and the 256 KB cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter, MAX_LINE_BYTES } from '../../src/engine/line-splitter.js';

async function split(chunks: Array<string | Buffer>): Promise<string[]> {
  const lines: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l));
  for (const c of chunks) splitter.write(c);
  await new Promise<void>((resolve) => splitter.end(resolve));
  return lines;
}

test('splits on newlines across chunks and flushes a final partial line', async () => {
  assert.deepEqual(await split(['a\nb', 'c\n\nd', 'e']), ['a', 'bc', '', 'de']);
});

test('keeps a multi-byte character that straddles two chunks intact', async () => {
  const euro = Buffer.from('€\n');
  assert.deepEqual(await split([euro.subarray(0, 1), euro.subarray(1)]), ['€']);
});

test('splits a line longer than the CloudWatch event limit into full-size events', async () => {
  const long = 'x'.repeat(MAX_LINE_BYTES * 2 + 10);
  const lines = await split([long.slice(0, 1000), long.slice(1000), '\nnext\n']);
  assert.deepEqual(lines.map((l) => l.length), [MAX_LINE_BYTES, MAX_LINE_BYTES, 10, 4]);
});
