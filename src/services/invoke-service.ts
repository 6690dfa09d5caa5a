// InvokeService: the ONE front door for every invocation (API, and later triggers and async workers). Resolves
// the function and qualifier to an immutable EnvironmentSpec, applies the invocation-type rules and hands the
// invocation to the engine. Outcomes come back as values.
import { createHash, randomUUID } from 'node:crypto';
import type { Engine, EnvironmentSpec, ProvisionedState } from '../engine/index.js';
import { type FunctionRecord, functionNotFound, invalidParameter, type InvocationOutcome, LATEST, resourceConflict, type ResponseStreamSink } from '../model/index.js';
import { functionArn, runtimeVersionArn } from '../shared/arn.js';
import type { CodeStore } from '../store/index.js';
import type { RequestContext } from './context.js';
import type { ConcurrencyService } from './concurrency-service.js';
import type { FunctionService } from './function-service.js';
import type { LayerService } from './layer-service.js';

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeRequest {
  readonly functionName: string;
  readonly qualifier: string | undefined;
  readonly invocationType: InvocationType;
  readonly payload: Buffer;
  /** Decoded ClientContext JSON text. */
  readonly clientContext?: string;
  /** InvokeWithResponseStream: where a streamed response goes as the function writes it. */
  readonly responseStream?: ResponseStreamSink;
}

export type InvokeResult =
  | { readonly kind: 'dry-run'; readonly executedVersion: string }
  | { readonly kind: 'outcome'; readonly outcome: InvocationOutcome }
  /** InvocationType Event: the event is durably queued (async-queue.ts). */
  | { readonly kind: 'queued' };

/** Where `Event` invocations go once resolved: the durable async queue. */
export interface EventAcceptor {
  accept(ctx: RequestContext, target: { readonly functionName: string; readonly qualifier: string }, payload: Buffer): void;
}

export class InvokeService {
  private readonly specs = new WeakMap<FunctionRecord, EnvironmentSpec>();

  constructor(
    private readonly functions: FunctionService,
    private readonly code: CodeStore,
    private readonly engine: Engine,
    private readonly concurrency: ConcurrencyService,
    private readonly layers: LayerService,
    private readonly events?: EventAcceptor,
  ) {}

  async invoke(ctx: RequestContext, req: InvokeRequest): Promise<InvokeResult> {
    const resolved = this.functions.resolver.resolve(ctx, req.functionName, req.qualifier, { latestInNotFound: true });
    if (req.invocationType === 'Event') {
      // Refusing beats accepting an event nobody would deliver.
      if (this.events === undefined) throw invalidParameter('This Nimbus has no async event queue: invoke with RequestResponse.');
      this.events.accept(ctx, { functionName: resolved.record.name, qualifier: resolved.ref.qualifier ?? LATEST }, req.payload);
      return { kind: 'queued' };
    }
    // An alias with a routing configuration sends each invocation to one of its two versions, by weight.
    const version = resolved.alias === undefined ? resolved.version : pickVersion(resolved.version, resolved.alias.routingConfig?.additionalVersionWeights);
    let config = version === resolved.version ? resolved.config : this.functions.resolver.versionOf(resolved.record, version);
    if (config === undefined) throw functionNotFound(functionArn(ctx.region, ctx.accountId, resolved.record.name, version));
    if (config.status.state === 'Failed') {
      throw resourceConflict('The operation cannot be performed at this time. The function is currently in the following state: Failed');
    }
    if (req.invocationType === 'DryRun') return { kind: 'dry-run', executedVersion: version };

    // A create, update or publish reported as Pending/InProgress completes right after its response; wait for it
    // rather than fail, so create-then-invoke scripts behave as they do once AWS has settled.
    if (config.status.state === 'Pending' || config.status.lastUpdateStatus === 'InProgress') {
      await this.functions.settled(config);
      const { record } = this.functions.resolver.resolve(ctx, resolved.record.name, undefined);
      config = this.functions.resolver.versionOf(record, version);
      if (config === undefined) throw functionNotFound(functionArn(ctx.region, ctx.accountId, record.name, version));
    }
    const invokedArn = functionArn(ctx.region, ctx.accountId, config.name, resolved.ref.qualifier);
    // Reserved concurrency is the function's ($LATEST record), whichever version runs.
    const release = this.concurrency.admit(resolved.record);
    let settled: Promise<void> | undefined;
    try {
      const outcome = await this.engine.invoke(await this.specOf(config, version), {
        requestId: ctx.requestId,
        payload: req.payload,
        invokedFunctionArn: invokedArn,
        traceId: newTraceId(),
        ...(req.clientContext === undefined ? {} : { clientContext: req.clientContext }),
        ...(req.responseStream === undefined ? {} : { responseStream: req.responseStream }),
      });
      settled = outcome.settled;
      return { kind: 'outcome', outcome };
    } finally {
      // With extensions still at work the environment stays busy, and so does its concurrency slot (as on AWS).
      if (settled === undefined) release();
      else void settled.then(release);
    }
  }

  /** What of the function bears on async delivery: reserved concurrency, dead-letter target (undefined: no such function). */
  asyncSettings(ctx: RequestContext, functionName: string): { reservedConcurrency?: number; deadLetterTargetArn?: string } | undefined {
    let record: FunctionRecord;
    try {
      record = this.functions.resolver.resolve(ctx, functionName, undefined).record;
    } catch {
      return undefined;
    }
    return {
      ...(record.reservedConcurrency === undefined ? {} : { reservedConcurrency: record.reservedConcurrency }),
      ...(record.settings.deadLetterTargetArn === undefined ? {} : { deadLetterTargetArn: record.settings.deadLetterTargetArn }),
    };
  }

  /** Keeps `count` environments of this version initialised ahead of invocations (provisioned concurrency). */
  async provision(config: FunctionRecord, version: string, count: number): Promise<void> {
    this.engine.provision(await this.specOf(config, version), count);
  }

  provisionedState(config: FunctionRecord, version: string): ProvisionedState | undefined {
    return this.engine.provisionedState(`${functionArn(config.region, config.accountId, config.name)}:${version}`);
  }

  /** Records are immutable and cached by the store, so each revision's spec (and /opt tree) is built once. */
  private async specOf(record: FunctionRecord, version: string): Promise<EnvironmentSpec> {
    let spec = this.specs.get(record);
    if (spec === undefined || spec.version !== version) {
      spec = this.buildSpec(record, version, await this.layers.optDir(record.settings.layers));
      this.specs.set(record, spec);
    }
    return spec;
  }

  private buildSpec(record: FunctionRecord, version: string, optDir: string | undefined): EnvironmentSpec {
    const s = record.settings;
    const unqualified = functionArn(record.region, record.accountId, record.name);
    return {
      poolKey: `${unqualified}:${version}`,
      generation: generationOf(record),
      functionName: record.name,
      version,
      region: record.region,
      accountId: record.accountId,
      runtime: s.runtime,
      handler: s.handler,
      memoryMb: s.memoryMb,
      timeoutSec: s.timeoutSec,
      codeDir: this.code.codeDir(record.code.sha256Hex),
      ...(optDir === undefined ? {} : { optDir }),
      ephemeralStorageMb: s.ephemeralStorageMb,
      userEnv: s.environment ?? {},
      logGroup: s.loggingConfig.logGroup,
      logFormat: s.loggingConfig.logFormat,
      ...(s.loggingConfig.applicationLogLevel === undefined ? {} : { applicationLogLevel: s.loggingConfig.applicationLogLevel }),
      runtimeVersionArn: runtimeVersionArn(record.region, record.runtimeVersionHash),
    };
  }
}

/** Environments are reused only while code and settings (layers included) are unchanged (tags and status do not count). */
function generationOf(record: FunctionRecord): string {
  return createHash('sha1').update(record.code.sha256Hex).update(JSON.stringify(record.settings)).digest('hex');
}

/** The alias's own version, or with probability `weight` the routing configuration's additional version. */
function pickVersion(primary: string, weights: Readonly<Record<string, number>> | undefined): string {
  for (const [version, weight] of Object.entries(weights ?? {})) {
    if (Math.random() < weight) return version;
  }
  return primary;
}

/** An X-Ray trace header: `Root=1-<epoch hex>-<24 hex>;Parent=<16 hex>;Sampled=0`. */
function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  // randomUUID draws from a cached entropy pool: far cheaper per call than randomBytes on the hot path.
  const hex = randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '');
  return `Root=1-${epoch}-${hex.slice(0, 24)};Parent=${hex.slice(32, 48)};Sampled=0`;
}
