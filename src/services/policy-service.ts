// Resource-based policies of functions: AddPermission, GetPolicy, RemovePermission (per qualifier: $LATEST, a
// version or an alias), with AWS's validation order and wording, and the check the function URL gateway makes
// before serving an AuthType NONE URL. A policy has its own RevisionId (see docs/architecture.md).
import {
  buildStatement, type FunctionRecord, functionNotFound, invalidParameter, LATEST, messages, type FunctionPermissionInput, policyMessages,
  type PolicyRecord, type PolicyStatement, preconditionFailed, resourceConflict, resourceNotFound, validateStatementId,
} from '../model/index.js';
import { allowsPublicUrl } from '../model/index.js';
import type { FunctionKey } from '../store/index.js';
import { functionArn, type FunctionRef } from '../shared/arn.js';
import { newRevisionId } from '../shared/ids.js';
import type { FunctionRepository, TriggerRepository } from '../store/index.js';
import type { RequestContext } from './context.js';
import { FunctionResolver, isVersionNumber } from './function-resolver.js';

export class PolicyService {
  private readonly resolver: FunctionResolver;

  constructor(private readonly functions: FunctionRepository, private readonly policies: TriggerRepository) {
    this.resolver = new FunctionResolver(functions);
  }

  add(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: FunctionPermissionInput): PolicyStatement {
    // 1. Request validation (statement id, action, principal present), 2. name and qualifier, 3. the function,
    // 4. $LATEST refused, 5. the alias or version, 6. the principal, 7. duplicates and the revision.
    if (input.statementId !== undefined) validateStatementId(input.statementId);
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    const record = this.functionOf(ctx, ref, () => functionNotFound(functionArn(ctx.region, ctx.accountId, ref.name)));
    if (ref.qualifier === LATEST) throw invalidParameter(policyMessages.latest);
    const q = this.checkQualifier(record, ref.qualifier);
    const statement = buildStatement(input, functionArn(record.region, record.accountId, record.name, ref.qualifier));
    const current = this.policies.getPolicy(record, q);
    if (current?.statements.some((s) => s.Sid === statement.Sid)) throw resourceConflict(policyMessages.statementExists(statement.Sid));
    // AWS points to GetPolicy when the target is an alias, to GetFunction/GetAlias otherwise (both recorded).
    const stale = () => preconditionFailed(q !== LATEST && !isVersionNumber(q) ? 'GetPolicy' : 'GetFunction');
    if (input.revisionId !== undefined && input.revisionId !== (current?.revisionId ?? this.targetRevision(record, q))) throw stale();
    const next: PolicyRecord = {
      accountId: record.accountId, region: record.region, functionName: record.name, qualifier: q,
      statements: [...(current?.statements ?? []), statement], revisionId: newRevisionId(),
    };
    if (!this.policies.putPolicy(next, current?.revisionId)) throw stale();
    return statement;
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): PolicyRecord {
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    const record = this.functionOf(ctx, ref, () => resourceNotFound(policyMessages.resourceMissing));
    const q = ref.qualifier ?? LATEST;
    if (q !== LATEST && this.resolver.versionOf(record, q) === undefined && this.functions.getAlias(record, q) === undefined) {
      throw resourceNotFound(policyMessages.resourceMissing);
    }
    const policy = this.policies.getPolicy(record, q);
    // GetPolicy words a missing policy like a missing function (RemovePermission says "No policy ...").
    if (policy === undefined) throw resourceNotFound(policyMessages.resourceMissing);
    return policy;
  }

  remove(ctx: RequestContext, functionName: string, statementId: string, qualifier: string | undefined, revisionId: string | undefined): void {
    validateStatementId(statementId);
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    const record = this.functionOf(ctx, ref, () => resourceNotFound(policyMessages.noPolicyFor(functionArn(ctx.region, ctx.accountId, ref.name, ref.qualifier))));
    const q = ref.qualifier === undefined || ref.qualifier === LATEST ? LATEST : this.checkQualifier(record, ref.qualifier);
    const current = this.policies.getPolicy(record, q);
    if (current === undefined) throw resourceNotFound(policyMessages.noPolicy);
    if (!current.statements.some((s) => s.Sid === statementId)) throw resourceNotFound(policyMessages.statementNotFound(statementId));
    if (revisionId !== undefined && revisionId !== current.revisionId) throw preconditionFailed();
    const statements = current.statements.filter((s) => s.Sid !== statementId);
    if (statements.length === 0) this.policies.deletePolicy(record, q);
    else if (!this.policies.putPolicy({ ...current, statements, revisionId: newRevisionId() }, current.revisionId)) throw preconditionFailed();
  }

  /** Whether `qualifier`'s policy lets unsigned callers in through an AuthType NONE function URL. */
  allowsPublicUrl(record: FunctionKey, qualifier: string): boolean {
    const policy = this.policies.getPolicy(record, qualifier);
    return policy !== undefined && allowsPublicUrl(policy.statements);
  }

  private functionOf(ctx: RequestContext, ref: FunctionRef, notFound: () => Error): FunctionRecord {
    const record = this.resolver.functionOf(ctx, ref);
    if (record === undefined) throw notFound();
    return record;
  }

  /** The qualifier's version or alias must exist; AWS words the two cases differently. */
  private checkQualifier(record: FunctionRecord, qualifier: string | undefined): string {
    if (qualifier === undefined) return LATEST;
    const arn = functionArn(record.region, record.accountId, record.name, qualifier);
    if (isVersionNumber(qualifier)) {
      if (this.functions.getVersion(record, qualifier) === undefined) throw functionNotFound(arn);
    } else if (this.functions.getAlias(record, qualifier) === undefined) {
      throw (qualifier.includes('$') ? functionNotFound(arn) : resourceNotFound(messages.aliasCannotFind(arn)));
    }
    return qualifier;
  }

  private targetRevision(record: FunctionRecord, qualifier: string): string | undefined {
    if (qualifier === LATEST) return record.revisionId;
    return isVersionNumber(qualifier) ? this.functions.getVersion(record, qualifier)?.revisionId : this.functions.getAlias(record, qualifier)?.revisionId;
  }
}
