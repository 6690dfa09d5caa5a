// A writable stream that calls back once per `\n`-terminated line of a runtime's output. Each chunk is scanned
// once (no re-scanning of a long partial line), and a line longer than CloudWatch's event limit is split
// there, so a runtime printing megabytes without a newline costs linear time and bounded memory.
import { Writable } from 'node:stream';

/** CloudWatch Logs' maximum event size (256 KB). */
export const MAX_LINE_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

export class LineSplitter extends Writable {
  private parts: Buffer[] = [];
  private partBytes = 0;

  constructor(private readonly onLine: (line: string) => void) {
    super({ decodeStrings: true });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      this.hold(chunk.subarray(start, nl));
      this.emitHeld();
      start = nl + 1;
    }
    this.hold(chunk.subarray(start));
    cb();
  }

  override _final(cb: () => void): void {
    if (this.partBytes > 0) this.emitHeld();
    cb();
  }

  /** Keeps bytes of the current line, emitting full-size pieces when it outgrows the event limit. */
  private hold(bytes: Buffer): void {
    let rest = bytes;
    while (this.partBytes + rest.length > MAX_LINE_BYTES) {
      const take = MAX_LINE_BYTES - this.partBytes;
      this.parts.push(rest.subarray(0, take));
      this.partBytes += take;
      this.emitHeld();
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      this.parts.push(rest);
      this.partBytes += rest.length;
    }
  }

  private emitHeld(): void {
    const line = this.parts.length === 1 ? this.parts[0] ?? Buffer.alloc(0) : Buffer.concat(this.parts, this.partBytes);
    this.parts = [];
    this.partBytes = 0;
    this.onLine(line.toString('utf8'));
  }
}
