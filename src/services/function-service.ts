// Function use cases: create, read, list, update code and configuration, delete, tags. The only caller of the
// function repository and the code store. State transitions (Pending → Active, InProgress → Successful) are
// reported as AWS reports them and completed right after the response, so `aws lambda wait` works unchanged.
import { createHash } from 'node:crypto';
import {
  accessDenied, type CodeRef, type FunctionRecord, type VersionRecord, type FunctionSettings, functionAlreadyExists, invalidParameter, LATEST, messages,
  parseCreateIdentifier, preconditionFailed, resourceConflict, resourceNotFound, type SettingsInput, updateInProgress, validateDeadLetterArn, validateSettings,
  validationError, constraint, rules,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import { errorMessage } from '../shared/errors.js';
import { newRevisionId } from '../shared/ids.js';
import type { Clock } from '../shared/clock.js';
import type { CodeStore, FunctionRepository } from '../store/index.js';
import { intakeZip } from './code-intake.js';
import type { RequestContext } from './context.js';
import { FunctionResolver, isVersionNumber } from './function-resolver.js';
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

export interface PublishInput {
  readonly codeSha256?: string;
  readonly description?: string;
  readonly revisionId?: string;
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

  /** CreateFunction; with `publish` also version 1, created Pending alongside (AWS answers with `Version: "1"`). */
  async create(ctx: RequestContext, input: CreateInput, publish = false): Promise<FunctionRecord> {
    const ref = parseCreateIdentifier(input.functionName);
    if (ref.region !== undefined && ref.region !== ctx.region) throw resourceNotFound(messages.wrongRegion(ref.region, ctx.region));
    if (ref.accountId !== undefined && ref.accountId !== ctx.accountId) {
      throw accessDenied('CreateFunction', functionArn(ctx.region, ref.accountId, ref.name));
    }
    if (input.role === undefined) throw validationError([constraint('null', 'role', 'Member must not be null')]);
    validateSettings(input);
    if (input.deadLetterTargetArn !== undefined) validateDeadLetterArn(input.deadLetterTargetArn);
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
      ...(input.deadLetterTargetArn === undefined || input.deadLetterTargetArn === '' ? {} : { deadLetterTargetArn: input.deadLetterTargetArn }),
    };
    const record: FunctionRecord = {
      accountId: ctx.accountId, region: ctx.region, name: ref.name, settings, code,
      status: { state: 'Pending', stateReason: CREATING.reason, stateReasonCode: CREATING.code },
      revisionId: newRevisionId(), lastModified: this.clock.now(), tags: input.tags,
      runtimeVersionHash: runtimeVersionHash(settings.runtime),
    };
    if (!publish) {
      if (!this.repo.insert(record)) throw functionAlreadyExists(ref.name);
      this.settle(record);
      return record;
    }
    const version = this.newVersion(record, 1, undefined, 'Pending');
    const latest = { ...record, lastPublishedVersion: 1 };
    if (!this.repo.insertWithVersion(latest, version)) throw functionAlreadyExists(ref.name);
    this.settle(latest);
    this.settle(version);
    return latest;
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): FunctionRecord {
    return this.resolver.resolve(ctx, functionName, qualifier).record;
  }

  list(ctx: RequestContext, marker: string | undefined, maxItems: number | undefined): { items: readonly FunctionRecord[]; nextMarker?: string } {
    checkMaxItems(maxItems);
    const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
    const page = this.repo.list(ctx.accountId, ctx.region, after, maxItems ?? DEFAULT_PAGE_SIZE);
    return page.nextAfter === undefined ? { items: page.items } : { items: page.items, nextMarker: Buffer.from(page.nextAfter).toString('base64url') };
  }

  /** UpdateFunctionCode; AWS takes the instruction set architecture with the code, not with the configuration. */
  /**
   * UpdateFunctionCode; AWS takes the instruction set architecture with the code, not with the configuration.
   * With `publish` the new code is also published as a version, which AWS answers with (Pending at first).
   */
  async updateCode(ctx: RequestContext, functionName: string, zip: Buffer | undefined, revisionId: string | undefined, architectures?: readonly string[], publish = false): Promise<FunctionRecord> {
    const current = this.updatable(ctx, functionName, revisionId);
    if (zip === undefined) throw invalidParameter('Please provide a source for function code.');
    if (architectures !== undefined) validateSettings({ architectures });
    const code: CodeRef = await intakeZip(this.code, zip);
    const settings = architectures === undefined ? current.settings : { ...current.settings, architectures: architectures as FunctionSettings['architectures'] };
    if (!publish) return this.commitUpdate(current, { code, settings });
    const next = this.updated(current, { code, settings });
    const n = this.nextVersionNumber(current);
    const version = this.newVersion(next, n, undefined, 'Pending');
    if (!this.repo.publish({ ...next, lastPublishedVersion: n }, current.revisionId, version)) throw updateInProgress(functionArn(current.region, current.accountId, current.name));
    this.settle(next);
    this.settle(version);
    return version;
  }

  /**
   * PublishVersion: snapshot $LATEST as the next version number. Nothing changed since the newest version →
   * that version is returned, as AWS does. Publishing is a change of $LATEST too (it gets a new RevisionId).
   */
  async publish(ctx: RequestContext, functionName: string, input: PublishInput): Promise<VersionRecord> {
    let latest = this.resolver.resolve(ctx, functionName, undefined).record;
    if (latest.status.state === 'Pending' || latest.status.lastUpdateStatus === 'InProgress') {
      // Nimbus settles right after the response that reported the transition: wait instead of failing.
      await this.settled(latest);
      latest = this.resolver.resolve(ctx, functionName, undefined).record;
    }
    if (input.revisionId !== undefined && input.revisionId !== latest.revisionId) throw preconditionFailed();
    if (input.codeSha256 !== undefined && input.codeSha256 !== latest.code.sha256Base64) {
      throw invalidParameter(messages.publishCodeShaMismatch(input.codeSha256, latest.code.sha256Base64));
    }
    const newest = this.repo.newestVersion(latest);
    if (newest !== undefined && newest.sourceFingerprint === fingerprint(latest)) return newest;
    const n = this.nextVersionNumber(latest);
    const version = this.newVersion(latest, n, input.description, 'Active');
    const next: FunctionRecord = { ...latest, lastPublishedVersion: n, revisionId: newRevisionId() };
    if (!this.repo.publish(next, latest.revisionId, version)) throw updateInProgress(functionArn(latest.region, latest.accountId, latest.name));
    return version;
  }

  /** $LATEST and every published version of a function (ListFunctions with FunctionVersion=ALL). */
  versionsOf(record: FunctionRecord): VersionView[] {
    const versions = this.repo.listVersions(record, 0, Number.MAX_SAFE_INTEGER).items;
    return [{ record, version: LATEST }, ...versions.map((v) => ({ record: v, version: v.version }))];
  }

  /** ListVersionsByFunction: $LATEST, then the published versions in ascending order. */
  listVersions(ctx: RequestContext, functionName: string, marker: string | undefined, maxItems: number | undefined): { items: readonly VersionView[]; nextMarker?: string } {
    checkMaxItems(maxItems);
    const { record } = this.resolver.resolve(ctx, functionName, undefined);
    const limit = maxItems ?? DEFAULT_PAGE_SIZE;
    // The marker is the last version returned ($LATEST counts as 0).
    const after = marker === undefined ? undefined : Number.parseInt(Buffer.from(marker, 'base64url').toString('utf8'), 10);
    if (after !== undefined && !Number.isInteger(after)) throw invalidParameter(messages.invalidMarker);
    const items: VersionView[] = after === undefined ? [{ record, version: LATEST }] : [];
    const page = this.repo.listVersions(record, after ?? 0, limit - items.length);
    for (const v of page.items) items.push({ record: v, version: v.version });
    const last = items[items.length - 1];
    if (!page.more || last === undefined) return { items };
    return { items, nextMarker: Buffer.from(last.version === LATEST ? '0' : last.version).toString('base64url') };
  }

  async updateConfiguration(ctx: RequestContext, functionName: string, input: UpdateConfigInput): Promise<FunctionRecord> {
    const current = this.updatable(ctx, functionName, input.revisionId);
    validateSettings(input);
    if (input.deadLetterTargetArn !== undefined) validateDeadLetterArn(input.deadLetterTargetArn);
    const s = current.settings;
    // An empty TargetArn removes the dead-letter target, as on AWS.
    const deadLetterTargetArn = input.deadLetterTargetArn === undefined ? s.deadLetterTargetArn : input.deadLetterTargetArn || undefined;
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
      ...(deadLetterTargetArn === undefined ? {} : { deadLetterTargetArn }),
    };
    return this.commitUpdate(current, { settings, runtimeVersionHash: runtimeVersionHash(settings.runtime) });
  }

  /** DeleteFunction: the whole function (its versions and aliases too), or one published version. */
  async delete(ctx: RequestContext, functionName: string, qualifier: string | undefined): Promise<void> {
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    if (ref.qualifier === LATEST) throw invalidParameter(messages.deleteLatest);
    const { record } = this.resolver.resolve(ctx, ref.name, undefined);
    const unqualified = functionArn(record.region, record.accountId, record.name);
    if (ref.qualifier === undefined) {
      this.repo.delete(record);
      await this.retirer.retire(unqualified);
      return;
    }
    if (!isVersionNumber(ref.qualifier)) throw invalidParameter(messages.deleteAlias);
    const version = ref.qualifier;
    const referencing = this.repo.listAliases(record, undefined, undefined, Number.MAX_SAFE_INTEGER).items
      .filter((a) => a.functionVersion === version || (a.routingConfig?.additionalVersionWeights[version] !== undefined))
      .map((a) => a.name);
    if (referencing.length > 0) throw resourceConflict(messages.versionReferencedByAliases(referencing));
    // Deleting a version that does not exist succeeds, as on AWS.
    this.repo.deleteVersion(record, version);
    await this.retirer.retire(`${unqualified}:${version}`);
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
    const versions = this.repo.allVersions();
    for (const version of versions) {
      referenced.add(version.code.sha256Hex);
      for (const layer of version.settings.layers ?? []) referenced.add(layer.sha256Hex);
      await this.code.ensureExtracted(version.code.sha256Hex).catch(() => undefined);
      if (version.status.state === 'Pending') this.settle(version);
    }
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
    await this.layers.collectTrees([...records, ...versions].map((r) => r.settings.layers ?? []));
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
    const next = this.updated(current, change);
    if (!this.repo.replace(next, current.revisionId)) throw updateInProgress(functionArn(current.region, current.accountId, current.name));
    this.settle(next);
    return next;
  }

  private updated(current: FunctionRecord, change: Partial<Pick<FunctionRecord, 'code' | 'settings' | 'runtimeVersionHash'>>): FunctionRecord {
    return {
      ...current,
      ...change,
      status: { state: 'Active', lastUpdateStatus: 'InProgress', lastUpdateStatusReason: CREATING.reason, lastUpdateStatusReasonCode: CREATING.code },
      revisionId: newRevisionId(),
      lastModified: this.clock.now(),
    };
  }

  private nextVersionNumber(latest: FunctionRecord): number {
    const newest = this.repo.newestVersion(latest);
    return Math.max(latest.lastPublishedVersion ?? 0, newest === undefined ? 0 : Number(newest.version)) + 1;
  }

  /**
   * A version of `latest` as it is now. Published from a settled function it is Active at once; published
   * with a create or a code update it is Pending until that settles, as AWS reports it.
   */
  private newVersion(latest: FunctionRecord, n: number, description: string | undefined, state: 'Active' | 'Pending'): VersionRecord {
    const { lastPublishedVersion: _unused, reservedConcurrency: _functionLevel, ...base } = latest;
    return {
      ...base,
      tags: {},
      version: String(n),
      settings: { ...latest.settings, description: description ?? latest.settings.description },
      status: state === 'Active'
        ? { state: 'Active', lastUpdateStatus: 'Successful' }
        : { state: 'Pending', stateReason: CREATING.reason, stateReasonCode: CREATING.code },
      revisionId: newRevisionId(),
      lastModified: this.clock.now(),
      sourceFingerprint: fingerprint(latest),
    };
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
  private settle(record: FunctionRecord | VersionRecord): void {
    this.settling.begin(settleKey(record));
    setImmediate(() => {
      // Re-read: tags may have changed meanwhile; a deleted or replaced function is left alone.
      const version = 'version' in record ? record.version : undefined;
      const current = version === undefined ? this.repo.get(record) : this.repo.getVersion(record, version);
      if (current !== undefined && current.lastModified === record.lastModified && current.status.state === record.status.state && current.status.lastUpdateStatus === record.status.lastUpdateStatus) {
        const done = { ...current, status: { state: 'Active', lastUpdateStatus: 'Successful' }, revisionId: newRevisionId() } as const;
        if ('version' in current) this.repo.replaceVersion(done as VersionRecord, current.revisionId);
        else this.repo.replace(done, current.revisionId);
      }
      this.settling.end(settleKey(record));
    });
  }
}

/** A $LATEST or a version as ListVersionsByFunction shows it. */
export interface VersionView {
  readonly record: FunctionRecord;
  readonly version: string;
}

function settleKey(r: FunctionRecord | VersionRecord): string {
  return `${r.accountId}:${r.region}:${r.name}:${'version' in r ? r.version : LATEST}`;
}

/** $LATEST's code and settings: what a published version is a copy of. */
function fingerprint(r: FunctionRecord): string {
  return createHash('sha1').update(r.code.sha256Hex).update(JSON.stringify(r.settings)).digest('hex');
}

export function checkMaxItems(maxItems: number | undefined): void {
  if (maxItems !== undefined && (maxItems < 1 || maxItems > 10000)) {
    const rule = maxItems < 1 ? rules.min(1) : rules.max(10000);
    throw validationError([constraint(String(maxItems), 'maxItems', rule)]);
  }
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
