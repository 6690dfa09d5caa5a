// Layer use cases: publish, read, list and delete layer versions, their resource-based policies, the checks
// CreateFunction / UpdateFunctionConfiguration apply to a `Layers` list, and a function's merged /opt tree.
// Layer packages live in the same content-addressed code store as function code.
import {
  type FunctionLayer, invalidParameter, type LayerFilter, layerMessages, layerPolicyChanged, type LayerStatement, type LayerVersionRecord,
  MAX_FUNCTION_LAYERS, type PermissionInput, type PublishLayerInput, resourceConflict, resourceNotFound, validateLayerFilter,
  validateLayerPermission, validatePublishLayer,
} from '../model/index.js';
import { layerArn, parseLayerArn } from '../shared/arn.js';
import type { Clock } from '../shared/clock.js';
import { newRevisionId } from '../shared/ids.js';
import type { CodeStore, LayerKey, LayerRepository, OptTreeStore } from '../store/index.js';
import { intakeZip } from './code-intake.js';
import type { RequestContext } from './context.js';

export interface PublishLayerRequest extends PublishLayerInput {
  readonly zip: Buffer | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextMarker?: string;
}

export const DEFAULT_LAYER_PAGE_SIZE = 50;

export class LayerService {
  constructor(
    private readonly repo: LayerRepository,
    private readonly code: CodeStore,
    private readonly trees: OptTreeStore,
    private readonly clock: Clock,
  ) {}

  async publish(ctx: RequestContext, layerName: string, input: PublishLayerRequest): Promise<LayerVersionRecord> {
    validatePublishLayer(layerName, input);
    const key = this.key(ctx, layerName);
    if (input.zip === undefined) throw invalidParameter('Please provide a source for the layer content (Content.ZipFile).');
    const code = await intakeZip(this.code, input.zip);
    return this.repo.publish(key, (version) => ({
      accountId: key.accountId, region: key.region, layerName: key.layerName, version,
      description: input.description ?? '',
      ...(input.compatibleRuntimes === undefined ? {} : { compatibleRuntimes: [...input.compatibleRuntimes] }),
      ...(input.compatibleArchitectures === undefined ? {} : { compatibleArchitectures: [...input.compatibleArchitectures] }),
      ...(input.licenseInfo === undefined ? {} : { licenseInfo: input.licenseInfo }),
      code, createdDate: this.clock.now(), statements: [],
    }));
  }

  get(ctx: RequestContext, layerName: string, version: number): LayerVersionRecord {
    const record = this.repo.get(this.key(ctx, layerName), version);
    if (record === undefined) throw resourceNotFound(layerMessages.notFound);
    return record;
  }

  /** GetLayerVersionByArn (the ARN already matched AWS's pattern). */
  getByArn(ctx: RequestContext, arn: string): LayerVersionRecord {
    const ref = parseLayerArn(arn);
    if (ref?.version === undefined) throw resourceNotFound(layerMessages.notFound);
    return this.get(ctx, arn.slice(0, arn.lastIndexOf(':')), ref.version);
  }

  /** ListLayers: each layer with its newest version that matches the filter; layers with none are left out. */
  listLayers(ctx: RequestContext, filter: LayerFilter, marker: string | undefined, maxItems: number | undefined): Page<LayerVersionRecord> {
    validateLayerFilter(filter, maxItems);
    const latest = new Map<string, LayerVersionRecord>();
    for (const record of this.repo.inRegion(ctx.accountId, ctx.region)) {
      if (!latest.has(record.layerName) && matches(record, filter)) latest.set(record.layerName, record);
    }
    const after = decodeMarker(marker);
    return page([...latest.values()].filter((r) => after === undefined || r.layerName > after), maxItems, (r) => r.layerName);
  }

  /** ListLayerVersions, newest first; a layer that does not exist has no versions (not an error on AWS). */
  listVersions(ctx: RequestContext, layerName: string, filter: LayerFilter, marker: string | undefined, maxItems: number | undefined): Page<LayerVersionRecord> {
    validateLayerFilter(filter, maxItems);
    const key = this.key(ctx, layerName, { missing: 'empty' });
    const after = decodeMarker(marker);
    const versions = key === undefined ? [] : this.repo.versions(key).filter((r) => matches(r, filter) && (after === undefined || r.version < Number(after)));
    return page(versions, maxItems, (r) => String(r.version));
  }

  /** Idempotent, as on AWS. Functions using the version keep its content (their settings hold its hash). */
  delete(ctx: RequestContext, layerName: string, version: number): void {
    const key = this.key(ctx, layerName, { missing: 'empty' });
    if (key !== undefined) this.repo.delete(key, version);
  }

  addPermission(ctx: RequestContext, layerName: string, version: number, input: PermissionInput, revisionId: string | undefined): { record: LayerVersionRecord; statement: LayerStatement } {
    validateLayerPermission(input);
    const current = this.existing(ctx, layerName, version);
    if (revisionId !== undefined && revisionId !== current.policyRevisionId) throw layerPolicyChanged();
    const sid = input.statementId ?? '';
    if (current.statements.some((s) => s.sid === sid)) throw resourceConflict(layerMessages.statementExists(sid));
    const statement: LayerStatement = {
      sid, action: input.action ?? '', principal: input.principal ?? '',
      ...(input.organizationId === undefined ? {} : { organizationId: input.organizationId }),
    };
    const record = this.replacePolicy(current, [...current.statements, statement]);
    return { record, statement };
  }

  removePermission(ctx: RequestContext, layerName: string, version: number, sid: string, revisionId: string | undefined): void {
    const current = this.existing(ctx, layerName, version);
    if (revisionId !== undefined && revisionId !== current.policyRevisionId) throw layerPolicyChanged();
    if (!current.statements.some((s) => s.sid === sid)) throw resourceNotFound(layerMessages.statementNotFound(sid));
    this.replacePolicy(current, current.statements.filter((s) => s.sid !== sid));
  }

  policy(ctx: RequestContext, layerName: string, version: number): LayerVersionRecord {
    const record = this.existing(ctx, layerName, version);
    if (record.statements.length === 0) throw resourceNotFound(layerMessages.noPolicy);
    return record;
  }

  /**
   * The checks AWS applies to a function's `Layers` (their ARNs already matched the pattern), in its order as far
   * as the recorded responses show it: count, region, one version per layer, existence. Compatible runtimes and
   * architectures are not checked: AWS does not either.
   */
  resolveForFunction(ctx: RequestContext, arns: readonly string[]): FunctionLayer[] {
    if (arns.length > MAX_FUNCTION_LAYERS) throw invalidParameter(layerMessages.tooManyLayers(MAX_FUNCTION_LAYERS));
    const refs = arns.map((arn) => ({ arn, ref: parseLayerArn(arn) }));
    if (refs.some(({ ref }) => ref !== null && ref.region !== ctx.region)) throw invalidParameter(layerMessages.otherRegion(ctx.region));
    refs.forEach(({ arn, ref }, j) => {
      const earlier = refs.slice(0, j).find((o) => o.ref !== null && ref !== null && o.ref.accountId === ref.accountId && o.ref.layerName === ref.layerName);
      if (earlier !== undefined) throw invalidParameter(layerMessages.sameLayerTwice(earlier.arn, arn));
    });
    return refs.map(({ arn, ref }) => {
      // `awslayer` ARNs (AWS-managed layers) and other accounts' layers cannot exist in this Nimbus.
      const record = ref?.version === undefined || ref.accountId !== ctx.accountId ? undefined : this.repo.get({ ...ref }, ref.version);
      if (record === undefined) throw invalidParameter(layerMessages.versionNotFound(arn));
      return { arn, codeSize: record.code.size, sha256Hex: record.code.sha256Hex };
    });
  }

  /** The `layers` member of a function's settings for a request's `Layers`: absent keeps `current`, [] removes them. */
  settingsFor(ctx: RequestContext, arns: readonly string[] | undefined, current: readonly FunctionLayer[] | undefined): { layers?: readonly FunctionLayer[] } {
    const layers = arns === undefined ? current : this.resolveForFunction(ctx, arns);
    return layers === undefined || layers.length === 0 ? {} : { layers };
  }

  /** Packages of every stored layer version: the code collector must keep them. */
  referencedCode(): string[] {
    return this.repo.codeShas();
  }

  /** The host directory shown as /opt to a function with these layers (undefined without layers). */
  async optDir(layers: readonly FunctionLayer[] | undefined): Promise<string | undefined> {
    if (layers === undefined || layers.length === 0) return undefined;
    return this.trees.ensure(layers.map((l) => l.sha256Hex));
  }

  /** Start-up only: removes merged /opt trees that no function's layer list needs. */
  collectTrees(inUse: Iterable<readonly FunctionLayer[]>): Promise<number> {
    return this.trees.collect([...inUse].map((layers) => layers.map((l) => l.sha256Hex)));
  }

  /** A layer version the policy operations act on; AWS names it by ARN when it is missing. */
  private existing(ctx: RequestContext, layerName: string, version: number): LayerVersionRecord {
    const key = this.key(ctx, layerName);
    const record = this.repo.get(key, version);
    if (record === undefined) throw resourceNotFound(layerMessages.versionNotFound(layerArn(key.region, key.accountId, key.layerName, version)));
    return record;
  }

  private replacePolicy(current: LayerVersionRecord, statements: readonly LayerStatement[]): LayerVersionRecord {
    const next: LayerVersionRecord = { ...current, statements, policyRevisionId: newRevisionId() };
    if (!this.repo.replace(next, current.policyRevisionId)) throw layerPolicyChanged();
    return next;
  }

  /**
   * LayerName as a name or an unversioned layer ARN. Layers live in the account and region of the request, so an
   * ARN of another region or account names nothing here.
   */
  private key(ctx: RequestContext, layerName: string): LayerKey;
  private key(ctx: RequestContext, layerName: string, opts: { missing: 'empty' }): LayerKey | undefined;
  private key(ctx: RequestContext, layerName: string, opts?: { missing: 'empty' }): LayerKey | undefined {
    const ref = layerName.startsWith('arn:') ? parseLayerArn(layerName) : { region: ctx.region, accountId: ctx.accountId, layerName };
    if (ref !== null && ref.region === ctx.region && ref.accountId === ctx.accountId) return { accountId: ctx.accountId, region: ctx.region, layerName: ref.layerName };
    if (opts?.missing === 'empty') return undefined;
    throw resourceNotFound(layerMessages.notFound);
  }
}

function matches(record: LayerVersionRecord, filter: LayerFilter): boolean {
  if (filter.compatibleRuntime !== undefined && !(record.compatibleRuntimes ?? []).includes(filter.compatibleRuntime)) return false;
  return filter.compatibleArchitecture === undefined || (record.compatibleArchitectures ?? []).includes(filter.compatibleArchitecture);
}

function decodeMarker(marker: string | undefined): string | undefined {
  return marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
}

function page<T>(items: readonly T[], maxItems: number | undefined, position: (item: T) => string): Page<T> {
  const limit = maxItems ?? DEFAULT_LAYER_PAGE_SIZE;
  const shown = items.slice(0, limit);
  const last = shown[shown.length - 1];
  return items.length > limit && last !== undefined ? { items: shown, nextMarker: Buffer.from(position(last)).toString('base64url') } : { items: shown };
}
