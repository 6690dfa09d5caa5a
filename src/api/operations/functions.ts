// Function management operations of the Lambda API 2015-03-31: CreateFunction, GetFunction,
// GetFunctionConfiguration, ListFunctions, UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction.
import { constraint, invalidParameter, rules, validationError } from '../../model/index.js';
import type { FunctionService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { functionConfiguration, getFunctionResponse, listEntry } from '../shapes.js';
import { createInput, parseJsonBody, updateCodeInput, updateConfigInput } from '../wire-input.js';

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

export function registerFunctionOperations(router: Router, functions: FunctionService): void {
  router.add('POST', '/2015-03-31/functions/?', async (call) => {
    const input = await body(call, CODE_REQUEST_LIMIT, 'CreateFunction');
    if (input['Publish'] === true) {
      throw invalidParameter('Publish is not supported by this Nimbus build yet (function versions arrive later); create without Publish.');
    }
    const record = await functions.create(call.ctx, createInput(input));
    sendJson(call.res, 201, functionConfiguration(record));
  });

  router.add('GET', '/2015-03-31/functions/?', (call) => {
    const fv = call.query.get('FunctionVersion');
    if (fv !== null && fv !== 'ALL') throw validationError([constraint(fv, 'functionVersion', rules.enumSet(['ALL']))]);
    const maxItems = call.query.get('MaxItems');
    if (maxItems !== null && !/^-?\d+$/.test(maxItems)) {
      throw new AwsError('SerializationException', `Unable to parse MaxItems: '${maxItems}' is not an integer`, { status: 400, faultType: null });
    }
    const page = functions.list(call.ctx, call.query.get('Marker') ?? undefined, maxItems === null ? undefined : Number(maxItems));
    sendJson(call.res, 200, {
      // With FunctionVersion=ALL every entry is a version, so its ARN is qualified.
      Functions: page.items.map((r) => listEntry(r, fv === 'ALL' ? '$LATEST' : undefined)),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });

  router.add('GET', '/2015-03-31/functions/{name}', (call) => {
    const q = qualifier(call);
    const resolved = functions.resolver.resolve(call.ctx, call.params['name'] ?? '', q);
    sendJson(call.res, 200, getFunctionResponse(resolved.record, codeUrl(call, resolved.record.code.sha256Hex), resolved.ref.qualifier));
  });

  router.add('GET', '/2015-03-31/functions/{name}/configuration', (call) => {
    const resolved = functions.resolver.resolve(call.ctx, call.params['name'] ?? '', qualifier(call));
    sendJson(call.res, 200, functionConfiguration(resolved.record, resolved.ref.qualifier));
  });

  router.add('PUT', '/2015-03-31/functions/{name}/code', async (call) => {
    const input = await body(call, CODE_REQUEST_LIMIT, 'UpdateFunctionCode');
    if (input['Publish'] === true) throw invalidParameter('Publish is not supported by this Nimbus build yet (function versions arrive later).');
    if (input['DryRun'] === true) {
      const record = functions.get(call.ctx, call.params['name'] ?? '', undefined);
      return sendJson(call.res, 200, functionConfiguration(record));
    }
    const { zip, revisionId, architectures } = updateCodeInput(input);
    const record = await functions.updateCode(call.ctx, call.params['name'] ?? '', zip, revisionId, architectures);
    sendJson(call.res, 200, functionConfiguration(record));
  });

  router.add('PUT', '/2015-03-31/functions/{name}/configuration', async (call) => {
    const input = await body(call, SMALL_REQUEST_LIMIT, 'UpdateFunctionConfiguration');
    const record = await functions.updateConfiguration(call.ctx, call.params['name'] ?? '', updateConfigInput(input));
    sendJson(call.res, 200, functionConfiguration(record));
  });

  router.add('DELETE', '/2015-03-31/functions/{name}', async (call) => {
    await functions.delete(call.ctx, call.params['name'] ?? '', qualifier(call));
    sendEmpty(call.res, 204);
  });
}
