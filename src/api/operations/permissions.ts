// Function resource-policy operations of the Lambda API 2015-03-31: AddPermission, GetPolicy, RemovePermission.
import type { PolicyService } from '../../services/index.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { Router } from '../router.js';
import { permissionInput } from '../trigger-input.js';
import { parseJsonBody } from '../wire-input.js';

const POLICY_REQUEST_LIMIT = 1024 * 1024;

export function registerPermissionOperations(router: Router, policies: PolicyService): void {
  router.add('POST', '/2015-03-31/functions/{name}/policy', async (call) => {
    const input = permissionInput(parseJsonBody(await readBody(call.req, POLICY_REQUEST_LIMIT, 'AddPermission')));
    const statement = policies.add(call.ctx, call.params['name'] ?? '', call.query.get('Qualifier') ?? undefined, input);
    sendJson(call.res, 201, { Statement: JSON.stringify(statement) });
  });

  router.add('GET', '/2015-03-31/functions/{name}/policy', (call) => {
    const policy = policies.get(call.ctx, call.params['name'] ?? '', call.query.get('Qualifier') ?? undefined);
    sendJson(call.res, 200, { Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: policy.statements }), RevisionId: policy.revisionId });
  });

  router.add('DELETE', '/2015-03-31/functions/{name}/policy/{sid}', (call) => {
    policies.remove(call.ctx, call.params['name'] ?? '', call.params['sid'] ?? '', call.query.get('Qualifier') ?? undefined, call.query.get('RevisionId') ?? undefined);
    sendEmpty(call.res, 204);
  });
}
