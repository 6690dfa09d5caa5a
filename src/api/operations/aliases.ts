// Alias operations of the Lambda API 2015-03-31: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases.
import type { AliasService } from '../../services/index.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { aliasConfiguration } from '../shapes.js';
import { aliasInput, parseJsonBody } from '../wire-input.js';
import { maxItemsParam } from './functions.js';

const ALIAS_REQUEST_LIMIT = 1024 * 1024;

async function aliasBody(call: ApiCall, operation: string): Promise<ReturnType<typeof aliasInput>> {
  return aliasInput(parseJsonBody(await readBody(call.req, ALIAS_REQUEST_LIMIT, operation)));
}

export function registerAliasOperations(router: Router, aliases: AliasService): void {
  const base = '/2015-03-31/functions/{name}/aliases';

  router.add('POST', base, async (call) => {
    const { name, input } = await aliasBody(call, 'CreateAlias');
    const alias = aliases.create(call.ctx, call.params['name'] ?? '', name ?? '', input);
    sendJson(call.res, 201, aliasConfiguration(alias));
  });

  router.add('GET', base, (call) => {
    const page = aliases.list(call.ctx, call.params['name'] ?? '', call.query.get('FunctionVersion') ?? undefined, call.query.get('Marker') ?? undefined, maxItemsParam(call));
    sendJson(call.res, 200, {
      Aliases: page.items.map(aliasConfiguration),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });

  router.add('GET', `${base}/{alias}`, (call) => {
    sendJson(call.res, 200, aliasConfiguration(aliases.get(call.ctx, call.params['name'] ?? '', call.params['alias'] ?? '')));
  });

  router.add('PUT', `${base}/{alias}`, async (call) => {
    const { input } = await aliasBody(call, 'UpdateAlias');
    const alias = aliases.update(call.ctx, call.params['name'] ?? '', call.params['alias'] ?? '', input);
    sendJson(call.res, 200, aliasConfiguration(alias));
  });

  router.add('DELETE', `${base}/{alias}`, async (call) => {
    await aliases.delete(call.ctx, call.params['name'] ?? '', call.params['alias'] ?? '');
    sendEmpty(call.res, 204);
  });
}
