// Wiring of asynchronous invocation (kept out of nimbus.ts): the durable queue, the destination targets and the
// worker. The worker needs the InvokeService, which needs the queue, hence the two steps.
import type { Config } from '../config/index.js';
import type { Logger } from '../observe/index.js';
import { AsyncEventQueue, AsyncWorker, Destinations, EventInvokeConfigService, type FunctionService, type InvokeService, LambdaDestination } from '../services/index.js';
import { systemClock } from '../shared/clock.js';
import { type Db, SqliteAsyncEventStore } from '../store/index.js';

export interface AsyncParts {
  readonly queue: AsyncEventQueue;
  readonly destinations: Destinations;
  readonly configs: EventInvokeConfigService;
  /** Starts the worker delivering through `invoker`. */
  worker(invoker: InvokeService): void;
  /** Stops claiming; resolves when deliveries in progress have settled. */
  stop(): Promise<void>;
}

export function startAsync(db: Db, functions: FunctionService, config: Config['async'], logger: Logger): AsyncParts {
  const queue = new AsyncEventQueue(new SqliteAsyncEventStore(db), systemClock);
  const destinations = new Destinations([
    new LambdaDestination(
      (ctx, name, qualifier) => {
        try {
          functions.resolver.resolve(ctx, name, qualifier);
          return true;
        } catch {
          return false;
        }
      },
      (ctx, target, payload) => queue.accept(ctx, target, payload),
    ),
  ]);
  let worker: AsyncWorker | undefined;
  return {
    queue,
    destinations,
    configs: new EventInvokeConfigService(functions.resolver, queue.store, destinations, systemClock),
    worker(invoker) {
      worker = new AsyncWorker(queue, invoker, destinations, systemClock, {
        maxConcurrent: config.maxConcurrentDeliveries, retryDelayScale: config.retryDelayScale, pollIntervalMs: config.pollIntervalMs,
        droppedRetentionMs: config.droppedRetentionDays * 86_400_000,
      }, logger.child({ component: 'async-worker' }));
      worker.start();
    },
    stop: async () => worker?.stop(),
  };
}
