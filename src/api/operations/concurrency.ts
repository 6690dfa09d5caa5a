// Reserved concurrency: PutFunctionConcurrency (PUT /2017-10-31/...), GetFunctionConcurrency (GET /2019-09-30/...),
// DeleteFunctionConcurrency (DELETE /2017-10-31/...); provisioned concurrency (/2019-09-30/.../provisioned-concurrency,
// `?List=ALL` for ListProvisionedConcurrencyConfigs). The API versions in the paths differ, as on AWS.
import type { ConcurrencyService, ProvisionedConcurrencyService, ProvisionedView } from '../../services/index.js';
import { awsTimestamp } from '../../shared/clock.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { Router } from '../router.js';
import { parseJsonBody } from '../wire-input.js';

function provisionedShape(v: ProvisionedView, withArn: boolean): Record<string, unknown> {
  return {
    ...(withArn ? { FunctionArn: v.functionArn } : {}),
    RequestedProvisionedConcurrentExecutions: v.requested,
    AvailableProvisionedConcurrentExecutions: v.available,
    AllocatedProvisionedConcurrentExecutions: v.allocated,
    Status: v.status,
    ...(v.statusReason === undefined ? {} : { StatusReason: v.statusReason }),
    LastModified: awsTimestamp(v.lastModified),
  };
}

function integerMember(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsError('SerializationException', 'Unexpected token in request body', { status: 400, faultType: null });
  }
  return value;
}

export function registerConcurrencyOperations(router: Router, concurrency: ConcurrencyService, provisioned: ProvisionedConcurrencyService): void {
  const pcPath = '/2019-09-30/functions/{name}/provisioned-concurrency';
  router.add('PUT', pcPath, async (call) => {
    const body = parseJsonBody(await readBody(call.req, 1024 * 1024, 'PutProvisionedConcurrencyConfig'));
    const view = await provisioned.put(call.ctx, call.params['name'] ?? '', call.query.get('Qualifier') ?? undefined, integerMember(body, 'ProvisionedConcurrentExecutions'));
    sendJson(call.res, 202, provisionedShape(view, false));
  });

  router.add('GET', pcPath, (call) => {
    if (call.query.get('List') === 'ALL') {
      const views = provisioned.list(call.ctx, call.params['name'] ?? '');
      return sendJson(call.res, 200, { ProvisionedConcurrencyConfigs: views.map((v) => provisionedShape(v, true)) });
    }
    sendJson(call.res, 200, provisionedShape(provisioned.get(call.ctx, call.params['name'] ?? '', call.query.get('Qualifier') ?? undefined), false));
  });

  router.add('DELETE', pcPath, async (call) => {
    await provisioned.delete(call.ctx, call.params['name'] ?? '', call.query.get('Qualifier') ?? undefined);
    sendEmpty(call.res, 204);
  });

  router.add('PUT', '/2017-10-31/functions/{name}/concurrency', async (call) => {
    const body = parseJsonBody(await readBody(call.req, 1024 * 1024, 'PutFunctionConcurrency'));
    const reserved = concurrency.put(call.ctx, call.params['name'] ?? '', integerMember(body, 'ReservedConcurrentExecutions'));
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
