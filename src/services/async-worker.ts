// The back half of asynchronous invocation: claims due events from the durable queue (leases), invokes each
// through InvokeService exactly like a synchronous call (same resolution, pools, logs, metering), and settles
// it by the retry policy (async-policy.ts): delivered → deleted; retry → due again later; failed → dropped with
// the reason, and the invocation record goes to the OnSuccess / OnFailure destination. At least once: an event
// is deleted only after its invocation ends, so a crash in between runs it again after restart.
import { randomUUID } from 'node:crypto';
import type { AsyncCondition, EventInvokeConfig, InvocationOutcome, InvocationRecord } from '../model/index.js';
import type { Logger } from '../observe/index.js';
import { functionArn } from '../shared/arn.js';
import { awsTimestamp, type Clock } from '../shared/clock.js';
import { AwsError } from '../shared/errors.js';
import type { QueuedEvent } from '../store/index.js';
import { type AttemptCounts, type AttemptResult, expired, settle } from './async-policy.js';
import type { AsyncEventQueue } from './async-queue.js';
import type { Destinations } from './destinations.js';
import type { InvokeRequest, InvokeResult } from './invoke-service.js';
import type { RequestContext } from './context.js';

export interface AsyncWorkerOptions {
  /** Deliveries in progress at once. */
  readonly maxConcurrent: number;
  /** Dropped events are kept this long (for `nimbus queue`), then deleted. */
  readonly droppedRetentionMs: number;
  /** Multiplies every retry delay (1 = AWS's ~1 min / ~2 min). */
  readonly retryDelayScale: number;
  /** How often to look for events that became due (retries); new events wake the worker at once. */
  readonly pollIntervalMs: number;
}

export interface AsyncSettings {
  readonly reservedConcurrency?: number;
  readonly deadLetterTargetArn?: string;
}

export interface Invoker {
  invoke(ctx: RequestContext, req: InvokeRequest): Promise<InvokeResult>;
  /** What of the function bears on async delivery (undefined when the function is gone). */
  asyncSettings(ctx: RequestContext, functionName: string): AsyncSettings | undefined;
}

/** Longer than the longest invocation (900 s) plus an init: a live claim never expires under a delivery. */
const LEASE_MS = 16 * 60_000;
const PRUNE_INTERVAL_MS = 3_600_000;

export class AsyncWorker {
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private kicked = false;
  private stopping = false;
  private prunedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly queue: AsyncEventQueue,
    private readonly invoker: Invoker,
    private readonly destinations: Destinations,
    private readonly clock: Clock,
    private readonly options: AsyncWorkerOptions,
    private readonly log: Logger,
  ) {}

  /** 1. Voids leases a previous process left (the data-dir lock makes this server the only one). 2. Starts polling. */
  start(): void {
    const released = this.queue.store.releaseAllLeases();
    if (released > 0) this.log.info({ released }, 'async events claimed by a previous run are queued again');
    this.queue.onEnqueue(() => this.kick());
    this.kick();
  }

  /** Stops claiming and waits for deliveries in progress; unclaimed events stay queued for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private kick(): void {
    if (this.stopping || this.kicked) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.poll();
    });
  }

  private poll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopping) return;
    const now = this.clock.now();
    if (now - this.prunedAt >= PRUNE_INTERVAL_MS) {
      this.prunedAt = now;
      const pruned = this.queue.store.pruneDropped(now - this.options.droppedRetentionMs);
      if (pruned > 0) this.log.info({ pruned }, 'dropped async events past their retention deleted');
    }
    const free = this.options.maxConcurrent - this.inFlight.size;
    for (const event of this.queue.store.claim(now, now + LEASE_MS, free)) {
      const delivery = this.deliver(event).catch((err: unknown) => this.log.error({ err, eventId: event.id }, 'async event could not be settled; it is retried when its lease expires'));
      this.inFlight.add(delivery);
      void delivery.finally(() => {
        this.inFlight.delete(delivery);
        this.kick();
      });
    }
    if (this.inFlight.size < this.options.maxConcurrent) this.timer = setTimeout(() => this.poll(), this.options.pollIntervalMs).unref();
  }

  private async deliver(event: QueuedEvent): Promise<void> {
    const store = this.queue.store;
    const config = store.getConfig(event);
    const before: AttemptCounts = { invokeCount: event.invokeCount, functionErrors: event.functionErrors, platformErrors: event.platformErrors };
    if (expired(event.enqueuedAt, this.clock.now(), config)) return this.fail(event, config, 'EventAgeExceeded', before, undefined);

    const ctx: RequestContext = { accountId: event.accountId, region: event.region, requestId: event.id };
    // Reserved concurrency 0: the function may never run, so AWS sends the event straight to failure.
    if (this.invoker.asyncSettings(ctx, event.functionName)?.reservedConcurrency === 0) return this.fail(event, config, 'ZeroReservedConcurrency', before, undefined);
    let result: AttemptResult;
    let outcome: InvocationOutcome | undefined;
    try {
      const r = await this.invoker.invoke(ctx, { functionName: event.functionName, qualifier: event.qualifier, invocationType: 'RequestResponse', payload: event.payload });
      if (r.kind !== 'outcome') throw new Error(`unexpected invoke result ${r.kind}`);
      outcome = r.outcome;
      result = outcome.kind;
    } catch (err) {
      // The function (or its version or alias) was deleted after the event was accepted: nothing can run it.
      if (err instanceof AwsError && err.type === 'ResourceNotFoundException') {
        this.log.warn({ eventId: event.id, reason: err.message }, 'async event dropped: its function no longer exists');
        store.drop(event.id, 'FunctionNotFound', event.invokeCount, this.clock.now());
        return;
      }
      // Throttles, a function still settling or failed, a server shutting down: platform errors, retried by age.
      this.log.debug({ err, eventId: event.id }, 'async delivery failed before the function ran');
      result = 'platform-error';
    }
    const s = settle(result, before, event.enqueuedAt, this.clock.now(), config, this.options.retryDelayScale);
    if (s.kind === 'retry') return store.retry(event.id, s.at, s.counts);
    if (s.kind === 'failed') return this.fail(event, config, s.condition, s.counts, outcome);
    this.send(event, config?.onSuccess, 'Success', s.counts, outcome);
    store.complete(event.id);
    this.queue.delivered += 1;
  }

  private fail(event: QueuedEvent, config: EventInvokeConfig | undefined, condition: Exclude<AsyncCondition, 'Success'>, counts: AttemptCounts, outcome: InvocationOutcome | undefined): void {
    this.log.warn({ eventId: event.id, function: event.functionName, condition, invokeCount: counts.invokeCount }, 'async event dropped');
    this.send(event, config?.onFailure, condition, counts, outcome);
    // The function's dead-letter queue gets the raw event; SQS and SNS do not exist in Nimbus yet, so say so.
    const dlq = this.invoker.asyncSettings({ accountId: event.accountId, region: event.region, requestId: event.id }, event.functionName)?.deadLetterTargetArn;
    if (dlq !== undefined) this.log.warn({ eventId: event.id, deadLetterTargetArn: dlq }, 'the dead-letter target is an SQS queue or SNS topic, which this Nimbus cannot deliver to yet; the event is kept as dropped');
    this.queue.store.drop(event.id, condition, counts.invokeCount, this.clock.now());
  }

  /** Sends the invocation record to a destination, if one is configured. A failed send is logged, not retried. */
  private send(event: QueuedEvent, destination: string | undefined, condition: AsyncCondition, counts: AttemptCounts, outcome: InvocationOutcome | undefined): void {
    if (destination === undefined) return;
    const record = invocationRecord(event, condition, counts, outcome, awsTimestamp(this.clock.now()));
    try {
      this.destinations.deliver({ accountId: event.accountId, region: event.region, requestId: randomUUID() }, destination, record);
    } catch (err) {
      this.log.error({ err, eventId: event.id, destination }, 'invocation record could not be delivered to its destination');
    }
  }
}

/** AWS's invocation record (spec/lambda-wire.md c.4). */
export function invocationRecord(event: QueuedEvent, condition: AsyncCondition, counts: AttemptCounts, outcome: InvocationOutcome | undefined, timestamp: string): InvocationRecord {
  const functionError = outcome?.kind === 'function-error' ? { functionError: 'Unhandled' } : {};
  const requestContext = {
    requestId: event.id,
    functionArn: functionArn(event.region, event.accountId, event.functionName, event.qualifier),
    condition,
    approximateInvokeCount: counts.invokeCount,
  };
  if (condition === 'ZeroReservedConcurrency') return { version: '1.0', timestamp, requestContext, requestPayload: parseJson(event.payload) };
  return {
    version: '1.0',
    timestamp,
    requestContext,
    requestPayload: parseJson(event.payload),
    responseContext: {
      statusCode: outcome === undefined ? 0 : outcome.kind === 'platform-error' ? outcome.status : 200,
      executedVersion: outcome?.executedVersion ?? '$LATEST',
      ...functionError,
    },
    responsePayload: outcome === undefined || outcome.kind === 'platform-error' ? null : parseJson(outcome.payload),
  };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return bytes.toString('utf8');
  }
}
