// Function management operations of the Lambda API 2015-03-31: CreateFunction, GetFunction,
// GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction,
// PublishVersion, ListVersionsByFunction.
import { constraint, rules, validationError, versionOf } from '../../model/index.js';
import type { FunctionService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { functionConfiguration, getFunctionResponse, listEntry } from '../shapes.js';
import { createInput, parseJsonBody, publishInput, updateCodeInput, updateConfigInput } from '../wire-input.js';

/** AWS's cap on a CreateFunction/UpdateFunctionCode request (a 50 MB zip, base64-encoded, plus settings). */
export const CODE_REQUEST_LIMIT = 70_167_211;
const SMALL_REQUEST_LIMIT = 6 * 1024 * 1024;

async function body(call: ApiCall, limit: number, operation: string): Promise<Record<string, unknown>> {
  return parseJsonBody(await readBody(call.req, limit, operation));
}

function codeUrl(call: ApiCall, sha256Hex: string): string {
  return `http://${call.req.headers.host ?? '127.0.0.1'}/_nimbus/code/${sha256Hex}.zip`;
}

function qualifier(call: ApiCall): string | undefined {
  return call.query.get('Qualifier') ?? undefined;
}

/** MaxItems as AWS's deserialiser reads it from the query string. */
export function maxItemsParam(call: ApiCall): number | undefined {
  const maxItems = call.query.get('MaxItems');
  if (maxItems !== null && !/^-?\d+$/.test(maxItems)) {
    throw new AwsError('SerializationException', `Unable to parse MaxItems: '${maxItems}' is not an integer`, { status: 400, faultType: null });
  }
  return maxItems === null ? undefined : Number(maxItems);
}

export function registerFunctionOperations(router: Router, functions: FunctionService): void {
  router.add('POST', '/2015-03-31/functions/?', async (call) => {
    const input = await body(call, CODE_REQUEST_LIMIT, 'CreateFunction');
    const publish = input['Publish'] === true;
    const record = await functions.create(call.ctx, createInput(input), publish);
    // With Publish, AWS answers with $LATEST's configuration labelled as the new version.
    sendJson(call.res, 201, publish ? functionConfiguration(record, undefined, '1') : functionConfiguration(record));
  });

  router.add('GET', '/2015-03-31/functions/?', (call) => {
    const fv = call.query.get('FunctionVersion');
    if (fv !== null && fv !== 'ALL') throw validationError([constraint(fv, 'functionVersion', rules.enumSet(['ALL']))]);
    const page = functions.list(call.ctx, call.query.get('Marker') ?? undefined, maxItemsParam(call));
    // With FunctionVersion=ALL every entry is a version ($LATEST and the published ones), so its ARN is qualified.
    // Paging counts functions then.
    const entries = fv === 'ALL'
      ? page.items.flatMap((r) => functions.versionsOf(r).map((v) => listEntry(v.record, v.version)))
      : page.items.map((r) => listEntry(r));
    sendJson(call.res, 200, { Functions: entries, ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }) });
  });

  router.add('GET', '/2015-03-31/functions/{name}', (call) => {
    const resolved = functions.resolver.resolve(call.ctx, call.params['name'] ?? '', qualifier(call));
    const { config, record, ref } = resolved;
    sendJson(call.res, 200, getFunctionResponse(config, codeUrl(call, config.code.sha256Hex), ref.qualifier, record));
  });

  router.add('GET', '/2015-03-31/functions/{name}/configuration', (call) => {
    const resolved = functions.resolver.resolve(call.ctx, call.params['name'] ?? '', qualifier(call));
    sendJson(call.res, 200, functionConfiguration(resolved.config, resolved.ref.qualifier));
  });

  router.add('PUT', '/2015-03-31/functions/{name}/code', async (call) => {
    const input = await body(call, CODE_REQUEST_LIMIT, 'UpdateFunctionCode');
    if (input['DryRun'] === true) {
      const record = functions.get(call.ctx, call.params['name'] ?? '', undefined);
      return sendJson(call.res, 200, functionConfiguration(record));
    }
    const { zip, revisionId, architectures } = updateCodeInput(input);
    const publish = input['Publish'] === true;
    const record = await functions.updateCode(call.ctx, call.params['name'] ?? '', zip, revisionId, architectures, publish);
    // With Publish, AWS answers with the new version (qualified ARN), Pending until the update settles.
    sendJson(call.res, 200, publish ? functionConfiguration(record, versionOf(record)) : functionConfiguration(record));
  });

  router.add('PUT', '/2015-03-31/functions/{name}/configuration', async (call) => {
    const input = await body(call, SMALL_REQUEST_LIMIT, 'UpdateFunctionConfiguration');
    const record = await functions.updateConfiguration(call.ctx, call.params['name'] ?? '', updateConfigInput(input));
    sendJson(call.res, 200, functionConfiguration(record));
  });

  router.add('POST', '/2015-03-31/functions/{name}/versions', async (call) => {
    const input = publishInput(await body(call, SMALL_REQUEST_LIMIT, 'PublishVersion'));
    const version = await functions.publish(call.ctx, call.params['name'] ?? '', input);
    sendJson(call.res, 201, functionConfiguration(version, version.version));
  });

  router.add('GET', '/2015-03-31/functions/{name}/versions', (call) => {
    const page = functions.listVersions(call.ctx, call.params['name'] ?? '', call.query.get('Marker') ?? undefined, maxItemsParam(call));
    sendJson(call.res, 200, {
      Versions: page.items.map((v) => listEntry(v.record, v.version)),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });

  router.add('DELETE', '/2015-03-31/functions/{name}', async (call) => {
    await functions.delete(call.ctx, call.params['name'] ?? '', qualifier(call));
    sendEmpty(call.res, 204);
  });
}
