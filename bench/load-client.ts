// Main-thread handle on the load worker: sends one job at a time and awaits its result.
import { Worker } from 'node:worker_threads';
import type { Job, JobMessage, JobResults, ReplyMessage } from './load-worker.js';

export class LoadClient {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(new URL('./load-worker.js', import.meta.url));
    this.worker.on('message', (msg: ReplyMessage) => {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`load worker: ${msg.error}`));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`load worker exited with code ${code}`)));
  }

  run<J extends Job>(job: J): Promise<JobResults[J['kind']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ id, job } satisfies JobMessage);
    });
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
