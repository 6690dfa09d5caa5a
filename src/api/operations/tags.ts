// TagResource, UntagResource, ListTags (/2017-03-31/tags/{ARN}) for functions, with AWS's ARN validation.
import { constraint, functionNotFound, invalidParameter, messages, resourceNotFound, rules, validationError } from '../../model/index.js';
import type { FunctionService } from '../../services/index.js';
import { functionArn, parseFunctionArn } from '../../shared/arn.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { parseJsonBody, tagsInput } from '../wire-input.js';

/** AWS's pattern for taggable resources, as quoted in its validation message. */
const RESOURCE_PATTERN =
  'arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)';
const resourceRe = new RegExp(`^(?:${RESOURCE_PATTERN})$`);

function taggedFunction(call: ApiCall, functions: FunctionService) {
  const arn = call.params['arn'] ?? '';
  if (!resourceRe.test(arn)) throw validationError([constraint(arn, 'resource', rules.pattern(RESOURCE_PATTERN))]);
  const parsed = parseFunctionArn(arn);
  if (parsed === null) throw resourceNotFound(`Resource not found: ${arn}`);
  if (parsed.qualifier !== undefined) throw invalidParameter(messages.taggingQualified);
  if (parsed.region !== call.ctx.region) throw resourceNotFound(messages.wrongRegion(parsed.region, call.ctx.region));
  if (parsed.accountId !== call.ctx.accountId) throw functionNotFound(functionArn(parsed.region, parsed.accountId, parsed.name));
  return functions.get(call.ctx, parsed.name, undefined);
}

export function registerTagOperations(router: Router, functions: FunctionService): void {
  router.add('POST', '/2017-03-31/tags/{arn}', async (call) => {
    const tags = tagsInput(parseJsonBody(await readBody(call.req, 1024 * 1024, 'TagResource')));
    const record = taggedFunction(call, functions);
    if (Object.keys(tags).length === 0) throw invalidParameter(messages.emptyTags);
    functions.tag(call.ctx, record, tags);
    sendEmpty(call.res, 204);
  });

  router.add('DELETE', '/2017-03-31/tags/{arn}', (call) => {
    const keys = call.query.getAll('tagKeys');
    if (keys.length === 0) throw validationError(["Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"]);
    const record = taggedFunction(call, functions);
    functions.untag(call.ctx, record, keys);
    sendEmpty(call.res, 204);
  });

  router.add('GET', '/2017-03-31/tags/{arn}', (call) => {
    const record = taggedFunction(call, functions);
    sendJson(call.res, 200, { Tags: { ...record.tags } });
  });
}
