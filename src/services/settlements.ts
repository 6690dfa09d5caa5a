// Tracks keys with a transition in flight and lets callers wait until it completes.
export class Settlements {
  private readonly pending = new Map<string, { promise: Promise<void>; resolve: () => void }>();

  begin(key: string): void {
    if (this.pending.has(key)) return;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.pending.set(key, { promise, resolve });
  }

  end(key: string): void {
    this.pending.get(key)?.resolve();
    this.pending.delete(key);
  }

  wait(key: string): Promise<void> {
    return this.pending.get(key)?.promise ?? Promise.resolve();
  }
}
