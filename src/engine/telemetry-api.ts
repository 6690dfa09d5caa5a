// The Telemetry API 2022-07-01 of one execution environment (spec/lambda-wire.md b.4; AWS docs
// "telemetry-api-reference" and "telemetry-schema-reference"): an extension subscribes with PUT /2022-07-01/telemetry,
// and the platform POSTs batched JSON arrays of {time, type, record} to its HTTP destination. This module owns the
// subscriptions, their buffers and the deliveries; which events happen is the environment's business.
//
// Events emitted during init, before an extension could subscribe, are kept until init is over and handed to
// subscribers that arrive in the meantime, so that a subscriber sees platform.initStart as on Lambda.
import { request } from 'node:http';

export type TelemetryType = 'platform' | 'function' | 'extension';

export interface TelemetryEvent {
  readonly time: string;
  readonly type: string;
  readonly record: unknown;
}

interface Buffering {
  readonly maxItems: number;
  readonly maxBytes: number;
  readonly timeoutMs: number;
}

interface Subscriber {
  readonly extension: string;
  readonly types: ReadonlySet<TelemetryType>;
  readonly port: number;
  readonly path: string;
  readonly buffering: Buffering;
  queue: TelemetryEvent[];
  queuedBytes: number;
  timer: NodeJS.Timeout | undefined;
  /** Deliveries are sent one at a time, in order. */
  sending: Promise<void>;
}

/** The answer to a subscription request: the status and JSON body the extension gets. */
export interface SubscribeAnswer {
  readonly status: number;
  readonly body: unknown;
}

const SCHEMA_VERSIONS = new Set(['2022-07-01', '2022-12-13', '2025-01-29']);
const TYPES = new Set<TelemetryType>(['platform', 'function', 'extension']);
/** AWS's documented bounds and defaults (telemetry-api-reference, "buffering"). */
const BOUNDS = {
  maxItems: { min: 1000, max: 10000, default: 1000 },
  maxBytes: { min: 262144, max: 1048576, default: 262144 },
  timeoutMs: { min: 25, max: 30000, default: 100 },
} as const;
/** Events kept for late subscribers while init is running. */
const BACKLOG_LIMIT = 1000;

const validation = (errorMessage: string): SubscribeAnswer => ({ status: 400, body: { errorMessage, errorType: 'ValidationError' } });

export class TelemetryHub {
  private readonly subscribers = new Map<string, Subscriber>();
  private backlog: Array<{ category: TelemetryType; event: TelemetryEvent }> | undefined = [];

  /** Validates and records a subscription (a second one from the same extension replaces the first). */
  subscribe(extension: string, body: Buffer): SubscribeAnswer {
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return validation('Request body is not valid JSON');
    }
    if (typeof input !== 'object' || input === null) return validation('Request body must be a JSON object');
    const { schemaVersion, destination, types, buffering } = input as Record<string, unknown>;
    if (typeof schemaVersion !== 'string' || !SCHEMA_VERSIONS.has(schemaVersion)) return validation(`schemaVersion must be one of ${[...SCHEMA_VERSIONS].join(', ')}`);
    const dest = destination as Record<string, unknown> | undefined;
    if (typeof dest !== 'object' || dest === null) return validation('destination is required');
    if (dest['protocol'] !== 'HTTP' && dest['protocol'] !== 'TCP') return validation('destination.protocol must be HTTP or TCP');
    if (dest['protocol'] === 'TCP') return validation('destination.protocol TCP is not supported by Nimbus; use HTTP');
    const target = destinationOf(dest['URI']);
    if (typeof target === 'string') return validation(target);
    if (!Array.isArray(types) || types.length === 0 || !types.every((t) => TYPES.has(t as TelemetryType))) {
      return validation('types must be a non-empty array of platform, function, extension');
    }
    const buffer = bufferingOf(buffering);
    if (typeof buffer === 'string') return validation(buffer);
    this.drop(extension);
    const sub: Subscriber = {
      extension, types: new Set(types as TelemetryType[]), ...target, buffering: buffer, queue: [], queuedBytes: 0, timer: undefined, sending: Promise.resolve(),
    };
    this.subscribers.set(extension, sub);
    for (const { category, event } of this.backlog ?? []) if (sub.types.has(category)) this.enqueue(sub, event);
    return { status: 200, body: 'OK' };
  }

  get active(): boolean {
    return this.subscribers.size > 0;
  }

  /** Whether anything emitted now would be kept (a subscriber, or init still running): callers skip building records otherwise. */
  get wanted(): boolean {
    return this.backlog !== undefined || this.subscribers.size > 0;
  }

  /** Records one event for every subscriber of its category. */
  emit(category: TelemetryType, type: string, record: unknown, at = Date.now()): void {
    const event = { time: new Date(at).toISOString(), type, record };
    if (this.backlog !== undefined && this.backlog.length < BACKLOG_LIMIT) this.backlog.push({ category, event });
    for (const sub of this.subscribers.values()) if (sub.types.has(category)) this.enqueue(sub, event);
  }

  /** Init is over: later subscribers get only what happens from then on. */
  endBacklog(): void {
    this.backlog = undefined;
  }

  /** Sends what is buffered now (end of an invocation, shutdown) and resolves once it has been delivered or refused. */
  async flush(): Promise<void> {
    await Promise.all([...this.subscribers.values()].map((sub) => this.send(sub)));
  }

  /** Forgets every subscriber (the environment is gone). */
  close(): void {
    for (const sub of this.subscribers.values()) if (sub.timer !== undefined) clearTimeout(sub.timer);
    this.subscribers.clear();
    this.backlog = undefined;
  }

  private drop(extension: string): void {
    const old = this.subscribers.get(extension);
    if (old?.timer !== undefined) clearTimeout(old.timer);
    this.subscribers.delete(extension);
  }

  private enqueue(sub: Subscriber, event: TelemetryEvent): void {
    sub.queue.push(event);
    sub.queuedBytes += Buffer.byteLength(JSON.stringify(event));
    if (sub.queue.length >= sub.buffering.maxItems || sub.queuedBytes >= sub.buffering.maxBytes) {
      void this.send(sub);
    } else if (sub.timer === undefined) {
      sub.timer = setTimeout(() => void this.send(sub), sub.buffering.timeoutMs);
      sub.timer.unref();
    }
  }

  private send(sub: Subscriber): Promise<void> {
    if (sub.timer !== undefined) clearTimeout(sub.timer);
    sub.timer = undefined;
    if (sub.queue.length === 0) return sub.sending;
    const batch = Buffer.from(JSON.stringify(sub.queue));
    sub.queue = [];
    sub.queuedBytes = 0;
    sub.sending = sub.sending.then(() => post(sub.port, sub.path, batch));
    return sub.sending;
  }
}

/**
 * The subscriber listens inside the environment on `sandbox.localdomain`, which is the environment's loopback; the
 * platform reaches it on 127.0.0.1 (Nimbus shares the host network with its environments by default).
 */
function destinationOf(uri: unknown): { port: number; path: string } | string {
  if (typeof uri !== 'string') return 'destination.URI is required';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `destination.URI is not a valid URI: ${uri}`;
  }
  if (url.protocol !== 'http:') return 'destination.URI must use http';
  if (!['sandbox.localdomain', 'sandbox', '127.0.0.1', 'localhost'].includes(url.hostname)) return 'destination.URI host must be sandbox.localdomain';
  const port = Number(url.port || '80');
  return { port, path: `${url.pathname}${url.search}` };
}

function bufferingOf(input: unknown): Buffering | string {
  const given = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const [key, bound] of Object.entries(BOUNDS)) {
    const value = given[key] ?? bound.default;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < bound.min || value > bound.max) {
      return `buffering.${key} must be an integer between ${bound.min} and ${bound.max}`;
    }
    out[key] = value;
  }
  return out as unknown as Buffering;
}

/** One delivery; a subscriber that is gone or refuses loses the batch (AWS drops it too, with platform.logsDropped). */
function post(port: number, path: string, body: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    req.end(body);
  });
}

// ── platform.* records (AWS "telemetry-schema-reference") ─────────────────────────────────────────────────────

export type PlatformStatus = 'success' | 'error' | 'timeout' | 'failure';

export interface ReportMetrics {
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  readonly initDurationMs?: number;
}

const round2 = (ms: number): number => Math.round(ms * 100) / 100;
const tracingOf = (traceId: string): { tracing?: { type: string; value: string } } => (traceId ? { tracing: { type: 'X-Amzn-Trace-Id', value: traceId } } : {});

export const platformRecords = {
  initStart: (functionName: string, functionVersion: string, runtimeVersion: string, runtimeVersionArn: string) => ({
    initializationType: 'on-demand', phase: 'init', runtimeVersion, runtimeVersionArn, functionName, functionVersion,
  }),
  initRuntimeDone: (status: PlatformStatus, errorType?: string) => ({
    initializationType: 'on-demand', phase: 'init', status, ...(errorType === undefined ? {} : { errorType }),
  }),
  initReport: (status: PlatformStatus, durationMs: number, errorType?: string) => ({
    initializationType: 'on-demand', phase: 'init', status, ...(errorType === undefined ? {} : { errorType }), metrics: { durationMs: round2(durationMs) },
  }),
  start: (requestId: string, version: string, traceId: string) => ({ requestId, version, ...tracingOf(traceId) }),
  runtimeDone: (requestId: string, status: PlatformStatus, durationMs: number, producedBytes: number, traceId: string, errorType?: string) => ({
    requestId, status, ...(errorType === undefined ? {} : { errorType }), metrics: { durationMs: round2(durationMs), producedBytes }, ...tracingOf(traceId),
  }),
  report: (requestId: string, status: PlatformStatus, m: ReportMetrics, traceId: string, errorType?: string) => ({
    requestId, status, ...(errorType === undefined ? {} : { errorType }),
    metrics: {
      durationMs: round2(m.durationMs), billedDurationMs: m.billedDurationMs, memorySizeMB: m.memorySizeMb, maxMemoryUsedMB: m.maxMemoryUsedMb,
      ...(m.initDurationMs === undefined ? {} : { initDurationMs: round2(m.initDurationMs) }),
    },
    ...tracingOf(traceId),
  }),
};

/** The telemetry status of an invocation's outcome. */
export function platformStatus(c: { readonly kind: 'ok' | 'function-error' | 'platform-error'; readonly status?: string }): PlatformStatus {
  if (c.kind === 'ok') return 'success';
  if (c.kind === 'platform-error') return 'failure';
  return c.status === 'timeout' ? 'timeout' : 'error';
}

/** A function's log line as a telemetry record: in the JSON log format a JSON object line is sent as the object. */
export function functionRecord(line: string, logFormat: 'Text' | 'JSON'): unknown {
  if (logFormat !== 'JSON' || !line.startsWith('{')) return line;
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return line;
  }
}
