// Reserved concurrency: PutFunctionConcurrency (PUT /2017-10-31/...), GetFunctionConcurrency (GET /2019-09-30/...),
// DeleteFunctionConcurrency (DELETE /2017-10-31/...). The API versions in the paths differ, as on AWS.
import type { ConcurrencyService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { Router } from '../router.js';
import { parseJsonBody } from '../wire-input.js';

export function registerConcurrencyOperations(router: Router, concurrency: ConcurrencyService): void {
  router.add('PUT', '/2017-10-31/functions/{name}/concurrency', async (call) => {
    const body = parseJsonBody(await readBody(call.req, 1024 * 1024, 'PutFunctionConcurrency'));
    const value = body['ReservedConcurrentExecutions'];
    if (value !== undefined && value !== null && (typeof value !== 'number' || !Number.isInteger(value))) {
      throw new AwsError('SerializationException', 'Unexpected token in request body', { status: 400, faultType: null });
    }
    const reserved = concurrency.put(call.ctx, call.params['name'] ?? '', value === null ? undefined : (value as number | undefined));
    sendJson(call.res, 200, { ReservedConcurrentExecutions: reserved });
  });

  router.add('GET', '/2019-09-30/functions/{name}/concurrency', (call) => {
    const reserved = concurrency.get(call.ctx, call.params['name'] ?? '');
    sendJson(call.res, 200, reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved });
  });

  router.add('DELETE', '/2017-10-31/functions/{name}/concurrency', (call) => {
    concurrency.delete(call.ctx, call.params['name'] ?? '');
    sendEmpty(call.res, 204);
  });
}
