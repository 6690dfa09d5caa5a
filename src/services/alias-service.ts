// Alias use cases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases, with AWS's validation (in AWS's
// order: request validation, the function, the routing configuration, the versions it names, then conflicts).
import {
  type AliasRecord, constraint, type FunctionRecord, functionNotFound, invalidParameter, LATEST, latestWithWeights, messages, preconditionFailed,
  resourceConflict, resourceNotFound, type RoutingConfig, rules, validationError,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import { newRevisionId } from '../shared/ids.js';
import type { FunctionRepository } from '../store/index.js';
import type { RequestContext } from './context.js';
import { checkMaxItems, DEFAULT_PAGE_SIZE } from './function-service.js';
import { FunctionResolver } from './function-resolver.js';

export interface AliasInput {
  readonly functionVersion?: string;
  readonly description?: string;
  /** Absent: unchanged (update) or none (create). An empty map removes the routing. */
  readonly weights?: Readonly<Record<string, number>>;
  readonly revisionId?: string;
}

const ALIAS_NAME_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const FUNCTION_VERSION_PATTERN = '(\\$LATEST|[0-9]+)';
const aliasNameRe = /^(?!^[0-9]+$)([a-zA-Z0-9-_]+)$/;
const functionVersionRe = /^(\$LATEST|[0-9]+)$/;
const MAX_DESCRIPTION = 256;

/** Told when an alias is deleted (its provisioned concurrency goes with it). */
export type AliasDeleted = (record: FunctionRecord, alias: string, functionVersion: string) => Promise<void>;

export class AliasService {
  private readonly resolver: FunctionResolver;

  constructor(private readonly repo: FunctionRepository, private readonly onDeleted: AliasDeleted = () => Promise.resolve()) {
    this.resolver = new FunctionResolver(repo);
  }

  create(ctx: RequestContext, functionName: string, name: string, input: AliasInput): AliasRecord {
    validate(name, input, true);
    const functionVersion = input.functionVersion ?? '';
    const record = this.functionFor(ctx, functionName, functionVersion);
    const routingConfig = this.routing(record, functionVersion, input.weights);
    const alias: AliasRecord = {
      accountId: record.accountId, region: record.region, functionName: record.name, name, functionVersion,
      description: input.description ?? '', ...(routingConfig === undefined ? {} : { routingConfig }), revisionId: newRevisionId(),
    };
    if (!this.repo.insertAlias(alias)) throw resourceConflict(messages.aliasExists(aliasArn(record, name)));
    return alias;
  }

  get(ctx: RequestContext, functionName: string, name: string): AliasRecord {
    validate(name, {}, false);
    const record = this.functionFor(ctx, functionName, undefined);
    const alias = this.repo.getAlias(record, name);
    if (alias === undefined) throw resourceNotFound(messages.aliasCannotFind(aliasArn(record, name)));
    return alias;
  }

  update(ctx: RequestContext, functionName: string, name: string, input: AliasInput): AliasRecord {
    validate(name, input, false);
    const record = this.functionFor(ctx, functionName, undefined);
    const current = this.repo.getAlias(record, name);
    if (current === undefined) throw resourceNotFound(messages.aliasNotFound(aliasArn(record, name)));
    if (input.revisionId !== undefined && input.revisionId !== current.revisionId) throw preconditionFailed('GetAlias');
    const functionVersion = input.functionVersion ?? current.functionVersion;
    const weights = input.weights ?? current.routingConfig?.additionalVersionWeights;
    const routingConfig = this.routing(record, functionVersion, weights);
    const { routingConfig: _previous, ...rest } = current;
    const next: AliasRecord = {
      ...rest, functionVersion, description: input.description ?? current.description,
      ...(routingConfig === undefined ? {} : { routingConfig }), revisionId: newRevisionId(),
    };
    if (!this.repo.replaceAlias(next, current.revisionId)) throw preconditionFailed('GetAlias');
    return next;
  }

  /** Deleting an alias that does not exist succeeds, as on AWS. */
  async delete(ctx: RequestContext, functionName: string, name: string): Promise<void> {
    validate(name, {}, false);
    const record = this.functionFor(ctx, functionName, undefined);
    const alias = this.repo.getAlias(record, name);
    if (alias !== undefined && this.repo.deleteAlias(record, name)) await this.onDeleted(record, name, alias.functionVersion);
  }

  list(ctx: RequestContext, functionName: string, functionVersion: string | undefined, marker: string | undefined, maxItems: number | undefined): { items: readonly AliasRecord[]; nextMarker?: string } {
    checkMaxItems(maxItems);
    if (functionVersion !== undefined) validate(undefined, { functionVersion }, false);
    const record = this.functionFor(ctx, functionName, undefined);
    const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
    const page = this.repo.listAliases(record, functionVersion, after, maxItems ?? DEFAULT_PAGE_SIZE);
    const last = page.items[page.items.length - 1];
    return page.more && last !== undefined ? { items: page.items, nextMarker: Buffer.from(last.name).toString('base64url') } : { items: page.items };
  }

  /** The function (unqualified); AWS names the target version in the not-found message of CreateAlias. */
  private functionFor(ctx: RequestContext, functionName: string, notFoundQualifier: string | undefined): FunctionRecord {
    const ref = this.resolver.ref(ctx, functionName, undefined);
    const record = this.resolver.functionOf(ctx, ref);
    if (record === undefined) throw functionNotFound(functionArn(ctx.region, ctx.accountId, ref.name, notFoundQualifier));
    return record;
  }

  /** Checks a routing configuration against the function's versions; undefined when there is none. */
  private routing(record: FunctionRecord, functionVersion: string, weights: Readonly<Record<string, number>> | undefined): RoutingConfig | undefined {
    const entries = Object.entries(weights ?? {});
    if (entries.length > 1) throw invalidParameter(messages.tooManyWeights);
    if (entries.length > 0 && functionVersion === LATEST) throw latestWithWeights();
    for (const [version] of entries) if (version === functionVersion) throw invalidParameter(messages.weightSameVersion(version));
    for (const version of [functionVersion, ...entries.map(([v]) => v)]) {
      if (this.resolver.versionOf(record, version) === undefined) {
        throw functionNotFound(functionArn(record.region, record.accountId, record.name, version));
      }
    }
    return entries.length === 0 ? undefined : { additionalVersionWeights: Object.fromEntries(entries) };
  }
}

function aliasArn(record: FunctionRecord, name: string): string {
  return functionArn(record.region, record.accountId, record.name, name);
}

/** Java's rendering of a double, as AWS quotes values in validation messages: 2 → "2.0". */
function javaDouble(n: number): string {
  return Number.isInteger(n) ? n.toFixed(1) : String(n);
}

/** The request validation AWS does before it looks anything up (ValidationException, all problems at once). */
function validate(name: string | undefined, input: AliasInput, creating: boolean): void {
  const problems: string[] = [];
  if (name !== undefined) {
    if (name.length > 128) problems.push(constraint(name, 'name', rules.maxLength(128)));
    else if (!aliasNameRe.test(name)) problems.push(constraint(name, 'name', rules.pattern(ALIAS_NAME_PATTERN)));
  }
  const fv = input.functionVersion;
  if (fv === undefined && creating) problems.push("Value null at 'functionVersion' failed to satisfy constraint: Member must not be null");
  if (fv !== undefined) {
    if (fv.length > 1024) problems.push(constraint(fv, 'functionVersion', rules.maxLength(1024)));
    else if (fv.length === 0) problems.push(constraint(fv, 'functionVersion', rules.minLength(1)));
    else if (!functionVersionRe.test(fv)) problems.push(constraint(fv, 'functionVersion', rules.pattern(FUNCTION_VERSION_PATTERN)));
  }
  if (input.description !== undefined && input.description.length > MAX_DESCRIPTION) {
    problems.push(constraint(input.description, 'description', rules.maxLength(MAX_DESCRIPTION)));
  }
  const weights = input.weights;
  if (weights !== undefined) {
    const shown = `{${Object.entries(weights).map(([k, v]) => `${k}=${javaDouble(v)}`).join(', ')}}`;
    const field = 'routingConfig.additionalVersionWeights';
    if (Object.keys(weights).some((k) => k.length < 1 || k.length > 1024 || !/^[0-9]+$/.test(k))) {
      problems.push(constraint(shown, field, `Map keys must satisfy constraint: [${rules.maxLength(1024)}, ${rules.minLength(1)}, ${rules.pattern('[0-9]+')}]`));
    }
    if (Object.values(weights).some((v) => v < 0 || v > 1)) {
      problems.push(constraint(shown, field, `Map value must satisfy constraint: [${rules.max(1)}.0, ${rules.min(0)}.0, Member must not be null]`));
    }
  }
  if (problems.length > 0) throw validationError(problems);
}
