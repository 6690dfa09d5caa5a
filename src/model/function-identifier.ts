// Validation of FunctionName / Qualifier parameters, as AWS does it for read-style operations (Get, Invoke,
// Delete, ...) and for CreateFunction. Produces a FunctionRef or throws the AWS error AWS would send.
import {
  CREATE_FUNCTION_NAME_PATTERN,
  type FunctionRef,
  matchesFunctionNamePattern,
  matchesQualifierPattern,
  parseFunctionRef,
  QUALIFIER_PATTERN,
  READ_FUNCTION_NAME_PATTERN,
} from '../shared/arn.js';
import { constraint, invalidParameter, messages, rules, validationError } from './aws-errors.js';

export const MAX_FUNCTION_NAME_LENGTH = 64;
const MAX_CREATE_ARN_LENGTH = 140;
const MAX_QUALIFIER_LENGTH = 128;

/** FunctionName (+ optional `Qualifier` query) of a read-style operation. */
export function parseReadIdentifier(functionName: string, qualifier: string | undefined): FunctionRef {
  const problems: string[] = [];
  if (qualifier !== undefined) {
    if (qualifier.length > MAX_QUALIFIER_LENGTH) {
      problems.push(constraint(qualifier, 'qualifier', rules.maxLength(MAX_QUALIFIER_LENGTH)));
    } else if (!matchesQualifierPattern(qualifier)) {
      problems.push(constraint(qualifier, 'qualifier', rules.pattern(QUALIFIER_PATTERN)));
    }
  }
  if (!matchesFunctionNamePattern(functionName, 'read')) {
    problems.push(constraint(functionName, 'functionName', rules.pattern(READ_FUNCTION_NAME_PATTERN)));
  }
  if (problems.length > 0) throw validationError(problems);
  const ref = parseFunctionRef(functionName);
  if (qualifier !== undefined && ref.qualifier !== undefined && ref.qualifier !== qualifier) {
    throw invalidParameter(messages.qualifierMismatch);
  }
  return qualifier === undefined ? ref : { ...ref, qualifier };
}

/** FunctionName of CreateFunction. */
export function parseCreateIdentifier(functionName: string): FunctionRef {
  const problems: string[] = [];
  if (functionName.length > MAX_CREATE_ARN_LENGTH) {
    problems.push(constraint(functionName, 'functionName', rules.maxLength(MAX_CREATE_ARN_LENGTH)));
  }
  if (!matchesFunctionNamePattern(functionName, 'create')) {
    problems.push(constraint(functionName, 'functionName', rules.pattern(CREATE_FUNCTION_NAME_PATTERN)));
  }
  if (problems.length > 0) throw validationError(problems);
  const ref = parseFunctionRef(functionName);
  if (ref.name.length > MAX_FUNCTION_NAME_LENGTH) {
    const err = validationError([constraint(ref.name, 'functionName', rules.maxLength(MAX_FUNCTION_NAME_LENGTH))]);
    throw invalidParameter(err.message);
  }
  return ref;
}
