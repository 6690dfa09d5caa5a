// Function URL operations of the Lambda API 2021-10-31: CreateFunctionUrlConfig, GetFunctionUrlConfig,
// UpdateFunctionUrlConfig, DeleteFunctionUrlConfig, ListFunctionUrlConfigs.
import { constraint, rules, validationError } from '../../model/index.js';
import type { FunctionUrlService } from '../../services/index.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { urlConfigShape, urlInput } from '../trigger-input.js';
import { parseJsonBody } from '../wire-input.js';
import { maxItemsParam } from './functions.js';

const URL_REQUEST_LIMIT = 1024 * 1024;

/** The port clients reached this server on: the FunctionUrl must work as given. */
export function portOf(call: ApiCall): string {
  return /:(\d+)$/.exec(call.req.headers.host ?? '')?.[1] ?? '';
}

const qualifier = (call: ApiCall): string | undefined => call.query.get('Qualifier') ?? undefined;

export function registerFunctionUrlOperations(router: Router, urls: FunctionUrlService): void {
  const path = '/2021-10-31/functions/{name}/url';

  router.add('POST', path, async (call) => {
    const input = urlInput(parseJsonBody(await readBody(call.req, URL_REQUEST_LIMIT, 'CreateFunctionUrlConfig')));
    const url = urls.create(call.ctx, call.params['name'] ?? '', qualifier(call), input);
    sendJson(call.res, 201, urlConfigShape(url, portOf(call), 'create'));
  });

  router.add('GET', path, (call) => {
    sendJson(call.res, 200, urlConfigShape(urls.get(call.ctx, call.params['name'] ?? '', qualifier(call)), portOf(call), 'read'));
  });

  router.add('PUT', path, async (call) => {
    const input = urlInput(parseJsonBody(await readBody(call.req, URL_REQUEST_LIMIT, 'UpdateFunctionUrlConfig')));
    const url = urls.update(call.ctx, call.params['name'] ?? '', qualifier(call), input);
    sendJson(call.res, 200, urlConfigShape(url, portOf(call), 'update'));
  });

  router.add('DELETE', path, (call) => {
    urls.delete(call.ctx, call.params['name'] ?? '', qualifier(call));
    sendEmpty(call.res, 204);
  });

  router.add('GET', '/2021-10-31/functions/{name}/urls', (call) => {
    const maxItems = maxItemsParam(call);
    if (maxItems !== undefined && (maxItems < 1 || maxItems > 50)) {
      throw validationError([constraint(String(maxItems), 'maxItems', maxItems < 1 ? rules.min(1) : rules.max(50))]);
    }
    const page = urls.list(call.ctx, call.params['name'] ?? '', call.query.get('Marker') ?? undefined, maxItems);
    sendJson(call.res, 200, {
      FunctionUrlConfigs: page.items.map((u) => urlConfigShape(u, portOf(call), 'read')),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });
}
