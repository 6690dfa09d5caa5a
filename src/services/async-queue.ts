// The front half of asynchronous invocation: InvokeService hands every resolved `Event` invocation to
// `AsyncEventQueue.accept`, which commits it to the store before the API answers 202 (an accepted event is
// never lost), then wakes the worker (async-worker.ts). Also the queue's visible state for health output.
import type { Clock } from '../shared/clock.js';
import type { QueueCounts, SqliteAsyncEventStore } from '../store/index.js';
import type { RequestContext } from './context.js';
import type { EventAcceptor } from './invoke-service.js';

export interface QueueStats extends QueueCounts {
  /** Accepted since this server started. */
  readonly received: number;
  /** Delivered (function succeeded) since this server started. */
  readonly delivered: number;
  readonly droppedReasons: Record<string, number>;
}

export class AsyncEventQueue implements EventAcceptor {
  private received = 0;
  delivered = 0;
  private wake: () => void = () => undefined;

  constructor(
    readonly store: SqliteAsyncEventStore,
    private readonly clock: Clock,
  ) {}

  /** The event id is the request id: the function sees the same id on every attempt, as on AWS. */
  accept(ctx: RequestContext, target: { readonly functionName: string; readonly qualifier: string }, payload: Buffer): void {
    this.store.enqueue({
      id: ctx.requestId, accountId: ctx.accountId, region: ctx.region, functionName: target.functionName, qualifier: target.qualifier,
      payload, enqueuedAt: this.clock.now(),
    });
    this.received += 1;
    this.wake();
  }

  /** The worker registers how to be woken when an event arrives. */
  onEnqueue(wake: () => void): void {
    this.wake = wake;
  }

  stats(): QueueStats {
    return { ...this.store.counts(this.clock.now()), received: this.received, delivered: this.delivered, droppedReasons: this.store.droppedReasons() };
  }
}
