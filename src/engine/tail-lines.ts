// The last lines of an invocation's log, enough for X-Amz-Log-Result (the last 4 KB). Older lines are dropped
// as new ones arrive, so a chatty function cannot grow the server's memory; every line still goes to the store.

/** Characters kept: at least 4096, and a character is at least one byte, so at least the 4 KB AWS returns. */
const KEEP_CHARS = 4096;

export class TailLines {
  readonly lines: string[] = [];
  private chars = 0;

  push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
    for (let first = this.lines[0]; first !== undefined && this.chars - first.length - 1 >= KEEP_CHARS; first = this.lines[0]) {
      this.lines.shift();
      this.chars -= first.length + 1;
    }
  }
}
