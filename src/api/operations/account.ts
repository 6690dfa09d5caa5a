// GetAccountSettings (GET /2016-08-19/account-settings).
import type { AccountService } from '../../services/index.js';
import { sendJson } from '../http.js';
import type { Router } from '../router.js';
import { accountSettings } from '../shapes.js';

export function registerAccountOperations(router: Router, account: AccountService): void {
  router.add('GET', '/2016-08-19/account-settings/?', (call) => {
    sendJson(call.res, 200, accountSettings(account.settings(call.ctx)));
  });
}
