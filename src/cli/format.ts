// Output helpers shared by the CLI commands: byte sizes, aligned tables and a progress line for long steps.
// Everything writes to the stream it is given; nothing here touches process.stdout directly.

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** Left-aligned columns separated by two spaces; the last column is not padded. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}

/** `2024-05-01T10:00:00.000+0000` (Lambda's LastModified) → `2024-05-01 10:00:00Z`; unknown shapes pass through. */
export function formatTimestamp(value: string | undefined): string {
  if (value === undefined) return '-';
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? value : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

export function isTty(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/**
 * Reports `done / total` bytes for a step on `err`: an updating line on a terminal, otherwise one line per 10%
 * so logs stay short.
 */
export class ProgressLine {
  private lastDecile = -1;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    private readonly label: string,
  ) {}

  update(done: number, total: number): void {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    const text = `${this.label} ${formatBytes(done)} / ${formatBytes(total)} (${pct}%)`;
    if (isTty(this.stream)) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      this.stream.write(`\r${text}\x1b[K`);
      this.drawn = true;
      return;
    }
    const decile = Math.floor(pct / 10);
    if (decile === this.lastDecile) return;
    this.lastDecile = decile;
    this.stream.write(`${text}\n`);
  }

  /** Ends the updating line on a terminal. */
  finish(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
