// Layer operations of the Lambda API (2018-10-31 paths): PublishLayerVersion, GetLayerVersion,
// GetLayerVersionByArn, ListLayers, ListLayerVersions, DeleteLayerVersion, AddLayerVersionPermission,
// RemoveLayerVersionPermission, GetLayerVersionPolicy.
import { type LayerFilter, layerNameProblems, parseLayerVersionNumber, validateLayerVersionArn, validateStatementId, validationError } from '../../model/index.js';
import type { LayerService } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import { layerPermissionInput, publishLayerInput } from '../layer-input.js';
import { layerPolicyResponse, layersListItem, layerStatement, layerVersionResponse, layerVersionsListItem } from '../layer-shapes.js';
import type { ApiCall, Router } from '../router.js';
import { parseJsonBody } from '../wire-input.js';
import { CODE_REQUEST_LIMIT } from './functions.js';
import { codeDownloadUrl } from './nimbus.js';

const BASE = '/2018-10-31/layers';

/** The LayerName path parameter, checked before anything else of the request (AWS's validation layer). */
function layerName(call: ApiCall): string {
  const name = call.params['layerName'] ?? '';
  const problems = layerNameProblems(name);
  if (problems.length > 0) throw validationError(problems);
  return name;
}

function version(call: ApiCall): number {
  return parseLayerVersionNumber(call.params['version'] ?? '');
}

function filterOf(call: ApiCall): LayerFilter {
  const runtime = call.query.get('CompatibleRuntime');
  const arch = call.query.get('CompatibleArchitecture');
  return { ...(runtime === null ? {} : { compatibleRuntime: runtime }), ...(arch === null ? {} : { compatibleArchitecture: arch }) };
}

function maxItems(call: ApiCall): number | undefined {
  const raw = call.query.get('MaxItems');
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new AwsError('SerializationException', `Unable to parse MaxItems: '${raw}' is not an integer`, { status: 400, faultType: null });
  return Number(raw);
}

function marker(call: ApiCall): string | undefined {
  return call.query.get('Marker') ?? undefined;
}

export function registerLayerOperations(router: Router, layers: LayerService): void {
  router.add('POST', `${BASE}/{layerName}/versions`, async (call) => {
    const input = publishLayerInput(parseJsonBody(await readBody(call.req, CODE_REQUEST_LIMIT, 'PublishLayerVersion')));
    const record = await layers.publish(call.ctx, call.params['layerName'] ?? '', input);
    sendJson(call.res, 201, layerVersionResponse(record, codeDownloadUrl(call.req, record.code.sha256Hex)));
  });

  router.add('GET', `${BASE}/{layerName}/versions`, (call) => {
    const page = layers.listVersions(call.ctx, layerName(call), filterOf(call), marker(call), maxItems(call));
    sendJson(call.res, 200, {
      LayerVersions: page.items.map(layerVersionsListItem),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });

  router.add('GET', `${BASE}/{layerName}/versions/{version}`, (call) => {
    const record = layers.get(call.ctx, layerName(call), version(call));
    sendJson(call.res, 200, layerVersionResponse(record, codeDownloadUrl(call.req, record.code.sha256Hex)));
  });

  router.add('DELETE', `${BASE}/{layerName}/versions/{version}`, (call) => {
    layers.delete(call.ctx, layerName(call), version(call));
    sendEmpty(call.res, 204);
  });

  // ListLayers, and GetLayerVersionByArn on the same path with `?find=LayerVersion`.
  router.add('GET', `${BASE}/?`, (call) => {
    if (call.query.get('find') === 'LayerVersion') {
      const record = layers.getByArn(call.ctx, validateLayerVersionArn(call.query.get('Arn') ?? undefined));
      return sendJson(call.res, 200, layerVersionResponse(record, codeDownloadUrl(call.req, record.code.sha256Hex)));
    }
    const page = layers.listLayers(call.ctx, filterOf(call), marker(call), maxItems(call));
    sendJson(call.res, 200, {
      Layers: page.items.map(layersListItem),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });

  router.add('POST', `${BASE}/{layerName}/versions/{version}/policy`, async (call) => {
    const input = layerPermissionInput(parseJsonBody(await readBody(call.req, 1024 * 1024, 'AddLayerVersionPermission')));
    const revisionId = call.query.get('RevisionId') ?? undefined;
    const { record, statement } = layers.addPermission(call.ctx, layerName(call), version(call), input, revisionId);
    sendJson(call.res, 201, { Statement: JSON.stringify(layerStatement(statement, record)), RevisionId: record.policyRevisionId });
  });

  router.add('GET', `${BASE}/{layerName}/versions/{version}/policy`, (call) => {
    sendJson(call.res, 200, layerPolicyResponse(layers.policy(call.ctx, layerName(call), version(call))));
  });

  router.add('DELETE', `${BASE}/{layerName}/versions/{version}/policy/{statementId}`, (call) => {
    const name = layerName(call);
    const statementId = call.params['statementId'] ?? '';
    validateStatementId(statementId);
    layers.removePermission(call.ctx, name, version(call), statementId, call.query.get('RevisionId') ?? undefined);
    sendEmpty(call.res, 204);
  });
}
