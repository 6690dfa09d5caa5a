// A writable stream that calls back once per `\n`-terminated line (a trailing partial line is flushed at end).
import { Writable } from 'node:stream';

export class LineSplitter extends Writable {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {
    super({ decodeStrings: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.onLine(line);
    cb();
  }

  override _final(cb: () => void): void {
    if (this.partial) this.onLine(this.partial);
    this.partial = '';
    cb();
  }
}
