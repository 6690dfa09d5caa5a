// A function's resource-based policy (AddPermission / GetPolicy / RemovePermission): statement construction
// from AddPermission's input, exactly as AWS writes statements, and AWS's validation and wording.
import { constraint, invalidParameter, policyMessages, rules, validationError } from './aws-errors.js';

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: '*' | { readonly Service: string } | { readonly AWS: string };
  readonly Action: string;
  readonly Resource: string;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface PolicyRecord {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** `$LATEST`, a version number or an alias name. */
  readonly qualifier: string;
  readonly statements: readonly PolicyStatement[];
  readonly revisionId: string;
}

export interface FunctionPermissionInput {
  readonly statementId?: string;
  readonly action?: string;
  readonly principal?: string;
  readonly sourceArn?: string;
  readonly sourceAccount?: string;
  readonly eventSourceToken?: string;
  readonly principalOrgId?: string;
  readonly functionUrlAuthType?: string;
  readonly revisionId?: string;
}

const STATEMENT_ID_PATTERN = '([a-zA-Z0-9-_]+)';
const ACTION_PATTERN = '(lambda:[*]|lambda:[a-zA-Z]+|[*])';


/** Checks AddPermission's input in AWS's order and builds the statement it adds for `resource`. */
export function buildStatement(input: FunctionPermissionInput, resource: string, partition = 'aws'): PolicyStatement {
  const problems: string[] = [];
  const sid = input.statementId ?? '';
  if (input.statementId === undefined) problems.push("Value null at 'statementId' failed to satisfy constraint: Member must not be null");
  else if (!/^[a-zA-Z0-9-_]+$/.test(sid)) problems.push(constraint(sid, 'statementId', rules.pattern(STATEMENT_ID_PATTERN)));
  if (input.action === undefined) problems.push("Value null at 'action' failed to satisfy constraint: Member must not be null");
  else if (!/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(input.action)) problems.push(constraint(input.action, 'action', rules.pattern(ACTION_PATTERN)));
  if (input.principal === undefined) problems.push("Value null at 'principal' failed to satisfy constraint: Member must not be null");
  if (input.functionUrlAuthType !== undefined && !['NONE', 'AWS_IAM'].includes(input.functionUrlAuthType)) {
    problems.push(constraint(input.functionUrlAuthType, 'functionUrlAuthType', rules.enumSet(['NONE', 'AWS_IAM'])));
  }
  if (problems.length > 0) throw validationError(problems);
  const equals: Record<string, string> = {};
  if (input.sourceAccount !== undefined) equals['AWS:SourceAccount'] = input.sourceAccount;
  if (input.functionUrlAuthType !== undefined) equals['lambda:FunctionUrlAuthType'] = input.functionUrlAuthType;
  if (input.principalOrgId !== undefined) equals['aws:PrincipalOrgID'] = input.principalOrgId;
  if (input.eventSourceToken !== undefined) equals['lambda:EventSourceToken'] = input.eventSourceToken;
  const condition: Record<string, Record<string, string>> = {};
  if (Object.keys(equals).length > 0) condition['StringEquals'] = equals;
  if (input.sourceArn !== undefined) condition['ArnLike'] = { 'AWS:SourceArn': input.sourceArn };
  return {
    Sid: sid, Effect: 'Allow', Principal: principalOf(input.principal ?? '', partition), Action: input.action ?? '', Resource: resource,
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

/** `*`, an account id (→ its root ARN), an ARN, or a service principal (`x.amazonaws.com`, `alexa-...`). */
function principalOf(principal: string, partition: string): PolicyStatement['Principal'] {
  // An Alexa skill is any caller presenting the skill's token: AWS writes the principal as `*`.
  if (principal === '*' || /^alexa-[a-z]+\.amazon\.com$/.test(principal)) return '*';
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:${partition}:iam::${principal}:root` };
  if (/^arn:[a-z-]+:(iam|sts)::\d{12}:\S+$/.test(principal)) return { AWS: principal };
  if (/^[a-z0-9][a-z0-9.-]*\.(amazonaws\.com|amazon\.com|aws\.internal)$/.test(principal)) return { Service: principal };
  throw invalidParameter(policyMessages.badPrincipal);
}

/** Whether the policy lets anyone call the function URL without signing (AuthType NONE). */
export function allowsPublicUrl(statements: readonly PolicyStatement[]): boolean {
  return statements.some((s) =>
    s.Effect === 'Allow' && s.Principal === '*' && ['lambda:InvokeFunctionUrl', 'lambda:*', '*'].includes(s.Action) &&
    (s.Condition?.['StringEquals']?.['lambda:FunctionUrlAuthType'] ?? 'NONE') === 'NONE');
}
