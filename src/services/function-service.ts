// Function use cases: create, read, list, update code and configuration, delete, tags. The only caller of the
// function repository and the code store. State transitions (Pending → Active, InProgress → Successful) are
// reported as AWS reports them and completed right after the response, so `aws lambda wait` works unchanged.
import { createHash } from 'node:crypto';
import {
  accessDenied, type CodeRef, type FunctionRecord, type FunctionSettings, functionAlreadyExists, invalidParameter, LATEST, messages,
  parseCreateIdentifier, preconditionFailed, resourceNotFound, type SettingsInput, updateInProgress, validateSettings,
  validationError, constraint, rules,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import { errorMessage } from '../shared/errors.js';
import { newRevisionId } from '../shared/ids.js';
import type { Clock } from '../shared/clock.js';
import type { CodeStore, FunctionRepository } from '../store/index.js';
import { intakeZip } from './code-intake.js';
import type { RequestContext } from './context.js';
import { FunctionResolver } from './function-resolver.js';
import type { LayerService } from './layer-service.js';
import { Settlements } from './settlements.js';

export interface CreateInput extends SettingsInput {
  readonly functionName: string;
  readonly zip: Buffer | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly tracingMode?: 'PassThrough' | 'Active';
  readonly logGroup?: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
}

export interface UpdateConfigInput extends SettingsInput {
  readonly revisionId?: string;
  readonly tracingMode?: 'PassThrough' | 'Active';
  readonly logGroup?: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
}

/** Notified when a function's environments must go (code/configuration replaced, function deleted). */
export interface EnvironmentRetirer {
  retire(poolKeyPrefix: string): Promise<void>;
}

const CREATING = { reason: 'The function is being created.', code: 'Creating' } as const;
export const DEFAULT_PAGE_SIZE = 50;

export class FunctionService {
  readonly resolver: FunctionResolver;
  private readonly settling = new Settlements();

  constructor(
    private readonly repo: FunctionRepository,
    private readonly code: CodeStore,
    private readonly retirer: EnvironmentRetirer,
    private readonly clock: Clock,
    private readonly layers: LayerService,
  ) {
    this.resolver = new FunctionResolver(repo);
  }

  async create(ctx: RequestContext, input: CreateInput): Promise<FunctionRecord> {
    const ref = parseCreateIdentifier(input.functionName);
    if (ref.region !== undefined && ref.region !== ctx.region) throw resourceNotFound(messages.wrongRegion(ref.region, ctx.region));
    if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) {
      throw accessDenied('CreateFunction', functionArn(ctx.region, ref.accountId, ref.name));
    }
    if (input.role === undefined) throw validationError([constraint('null', 'role', 'Member must not be null')]);
    validateSettings(input);
    const layers = this.layers.settingsFor(ctx, input.layers, undefined);
    if (input.runtime === undefined || input.handler === undefined) {
      throw invalidParameter('Runtime and Handler are mandatory parameters for functions created with deployment packages.');
    }
    if (input.zip === undefined) throw invalidParameter('Please provide a source for function code.');
    validateTags(input.tags);
    const code = await intakeZip(this.code, input.zip);
    const settings: FunctionSettings = {
      runtime: input.runtime,
      handler: input.handler,
      role: input.role,
      description: input.description ?? '',
      timeoutSec: input.timeout ?? 3,
      memoryMb: input.memorySize ?? 128,
      ephemeralStorageMb: input.ephemeralStorageSize ?? 512,
      environment: input.environment ?? null,
      architectures: (input.architectures ?? ['x86_64']) as FunctionSettings['architectures'],
      loggingConfig: loggingConfig(ref.name, input),
      tracingMode: input.tracingMode ?? 'PassThrough',
      ...layers,
    };
    const record: FunctionRecord = {
      accountId: ctx.accountId, region: ctx.region, name: ref.name, settings, code,
      status: { state: 'Pending', stateReason: CREATING.reason, stateReasonCode: CREATING.code },
      revisionId: newRevisionId(), lastModified: this.clock.now(), tags: input.tags,
      runtimeVersionHash: runtimeVersionHash(settings.runtime),
    };
    if (!this.repo.insert(record)) throw functionAlreadyExists(ref.name);
    this.settle(record);
    return record;
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): FunctionRecord {
    return this.resolver.resolve(ctx, functionName, qualifier).record;
  }

  list(ctx: RequestContext, marker: string | undefined, maxItems: number | undefined): { items: readonly FunctionRecord[]; nextMarker?: string } {
    if (maxItems !== undefined && (maxItems < 1 || maxItems > 10000)) {
      const rule = maxItems < 1 ? rules.min(1) : rules.max(10000);
      throw validationError([constraint(String(maxItems), 'maxItems', rule)]);
    }
    const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
    const page = this.repo.list(ctx.accountId, ctx.region, after, maxItems ?? DEFAULT_PAGE_SIZE);
    return page.nextAfter === undefined ? { items: page.items } : { items: page.items, nextMarker: Buffer.from(page.nextAfter).toString('base64url') };
  }

  /** UpdateFunctionCode; AWS takes the instruction set architecture with the code, not with the configuration. */
  async updateCode(ctx: RequestContext, functionName: string, zip: Buffer | undefined, revisionId: string | undefined, architectures?: readonly string[]): Promise<FunctionRecord> {
    const current = this.updatable(ctx, functionName, revisionId);
    if (zip === undefined) throw invalidParameter('Please provide a source for function code.');
    if (architectures !== undefined) validateSettings({ architectures });
    const code: CodeRef = await intakeZip(this.code, zip);
    const settings = architectures === undefined ? current.settings : { ...current.settings, architectures: architectures as FunctionSettings['architectures'] };
    return this.commitUpdate(current, { code, settings });
  }

  async updateConfiguration(ctx: RequestContext, functionName: string, input: UpdateConfigInput): Promise<FunctionRecord> {
    const current = this.updatable(ctx, functionName, input.revisionId);
    validateSettings(input);
    const s = current.settings;
    const settings: FunctionSettings = {
      runtime: input.runtime ?? s.runtime,
      handler: input.handler ?? s.handler,
      role: input.role ?? s.role,
      description: input.description ?? s.description,
      timeoutSec: input.timeout ?? s.timeoutSec,
      memoryMb: input.memorySize ?? s.memoryMb,
      ephemeralStorageMb: input.ephemeralStorageSize ?? s.ephemeralStorageMb,
      environment: input.environment ?? s.environment,
      architectures: s.architectures,
      loggingConfig: loggingConfig(current.name, input, s.loggingConfig),
      tracingMode: input.tracingMode ?? s.tracingMode,
      ...this.layers.settingsFor(ctx, input.layers, s.layers),
    };
    return this.commitUpdate(current, { settings, runtimeVersionHash: runtimeVersionHash(settings.runtime) });
  }

  async delete(ctx: RequestContext, functionName: string, qualifier: string | undefined): Promise<void> {
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    if (ref.qualifier === LATEST) throw invalidParameter(messages.deleteLatest);
    const { record } = this.resolver.resolve(ctx, ref.name, undefined);
    if (ref.qualifier !== undefined) {
      if (!/^\d+$/.test(ref.qualifier)) throw invalidParameter(messages.deleteAlias);
      // Deleting a version that does not exist succeeds on AWS; no published versions exist yet (#6).
      return;
    }
    this.repo.delete(record);
    await this.retirer.retire(functionArn(record.region, record.accountId, record.name));
  }

  tag(ctx: RequestContext, record: FunctionRecord, tags: Readonly<Record<string, string>>): void {
    const merged = { ...record.tags, ...tags };
    validateTags(merged);
    this.replaceTags(ctx, record, merged);
  }

  untag(ctx: RequestContext, record: FunctionRecord, keys: readonly string[]): void {
    const remaining = Object.fromEntries(Object.entries(record.tags).filter(([k]) => !keys.includes(k)));
    this.replaceTags(ctx, record, remaining);
  }

  /** Path of a stored deployment package (for GetFunction's Code.Location download). */
  codeZipPath(sha256Hex: string): string | undefined {
    return this.code.has(sha256Hex) ? this.code.zipPath(sha256Hex) : undefined;
  }

  /** Waits until a Pending create or an InProgress update has settled (Invoke uses this, see invoke-service). */
  settled(record: FunctionRecord): Promise<void> {
    return this.settling.wait(settleKey(record));
  }

  /**
   * Start-up, before any environment runs: finish transitions a previous run left half-done, make sure every
   * code tree exists, and delete packages no function references any more (replaced or deleted code). Doing
   * the collection here, and only here, means no running environment can be using a package it removes.
   * Layer packages count as referenced while their layer version exists or a function uses them (AWS keeps a
   * deleted layer version's content for the functions that use it); merged /opt trees likewise.
   */
  async reconcile(): Promise<{ collected: number }> {
    const referenced = new Set<string>(this.layers.referencedCode());
    const records = this.repo.all();
    for (const record of records) {
      referenced.add(record.code.sha256Hex);
      for (const layer of record.settings.layers ?? []) referenced.add(layer.sha256Hex);
      try {
        await this.code.ensureExtracted(record.code.sha256Hex);
      } catch (err) {
        // One damaged package must not keep the server down: that function goes Failed, as AWS reports it.
        const failed: FunctionRecord = { ...record, status: { state: 'Failed', stateReason: `The code package could not be restored: ${errorMessage(err)}`, stateReasonCode: 'InvalidZipFileException' }, revisionId: newRevisionId() };
        this.repo.replace(failed, record.revisionId);
        continue;
      }
      if (record.status.state === 'Pending' || record.status.lastUpdateStatus === 'InProgress') this.settle(record);
    }
    const unused = this.code.stored().filter((sha) => !referenced.has(sha));
    for (const sha of unused) await this.code.remove(sha);
    await this.layers.collectTrees(records.map((r) => r.settings.layers ?? []));
    return { collected: unused.length };
  }

  private updatable(ctx: RequestContext, functionName: string, revisionId: string | undefined): FunctionRecord {
    const { record } = this.resolver.resolve(ctx, functionName, undefined);
    if (record.status.state === 'Pending' || record.status.lastUpdateStatus === 'InProgress') {
      throw updateInProgress(functionArn(record.region, record.accountId, record.name));
    }
    if (revisionId !== undefined && revisionId !== record.revisionId) throw preconditionFailed();
    return record;
  }

  private commitUpdate(current: FunctionRecord, change: Partial<Pick<FunctionRecord, 'code' | 'settings' | 'runtimeVersionHash'>>): FunctionRecord {
    const next: FunctionRecord = {
      ...current,
      ...change,
      status: { state: 'Active', lastUpdateStatus: 'InProgress', lastUpdateStatusReason: CREATING.reason, lastUpdateStatusReasonCode: CREATING.code },
      revisionId: newRevisionId(),
      lastModified: this.clock.now(),
    };
    if (!this.repo.replace(next, current.revisionId)) throw updateInProgress(functionArn(current.region, current.accountId, current.name));
    this.settle(next);
    return next;
  }

  private replaceTags(ctx: RequestContext, record: FunctionRecord, tags: Readonly<Record<string, string>>): void {
    // Tagging is a mutation on AWS too: it gets a new RevisionId.
    const next = { ...record, tags, revisionId: newRevisionId() };
    if (!this.repo.replace(next, record.revisionId)) throw updateInProgress(functionArn(ctx.region, ctx.accountId, record.name));
  }

  /**
   * Completes a transition right after the response that reported it: Pending → Active, or
   * InProgress → Successful. Each completion is a new revision, as on AWS. Environments of the old
   * configuration are retired by the engine when it sees the new generation.
   */
  private settle(record: FunctionRecord): void {
    this.settling.begin(settleKey(record));
    setImmediate(() => {
      // Re-read: tags may have changed meanwhile; a deleted or replaced function is left alone.
      const current = this.repo.get(record);
      if (current !== undefined && current.lastModified === record.lastModified && current.status.state === record.status.state && current.status.lastUpdateStatus === record.status.lastUpdateStatus) {
        const done: FunctionRecord = { ...current, status: { state: 'Active', lastUpdateStatus: 'Successful' }, revisionId: newRevisionId() };
        this.repo.replace(done, current.revisionId);
      }
      this.settling.end(settleKey(record));
    });
  }
}

function settleKey(r: FunctionRecord): string {
  return `${r.accountId}:${r.region}:${r.name}`;
}

function loggingConfig(name: string, input: CreateInput | UpdateConfigInput, base?: FunctionSettings['loggingConfig']): FunctionSettings['loggingConfig'] {
  const logFormat = (input.logFormat ?? base?.logFormat ?? 'Text') as 'Text' | 'JSON';
  const logGroup = input.logGroup ?? base?.logGroup ?? `/aws/lambda/${name}`;
  if (logFormat === 'Text') return { logFormat, logGroup };
  return {
    logFormat, logGroup,
    applicationLogLevel: input.applicationLogLevel ?? base?.applicationLogLevel ?? 'INFO',
    systemLogLevel: input.systemLogLevel ?? base?.systemLogLevel ?? 'INFO',
  };
}

/** A stable 64-hex id for the runtime build Nimbus runs (AWS shows one in RuntimeVersionArn). */
function runtimeVersionHash(runtime: string): string {
  return createHash('sha256').update(`nimbus:${runtime}:1`).digest('hex');
}

export const MAX_TAGS = 50;

export function validateTags(tags: Readonly<Record<string, string>>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter(messages.tooManyTags);
}
