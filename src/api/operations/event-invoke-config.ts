// Event invoke config operations (API 2019-09-25): Put (PUT), Update (POST), Get, Delete and List, per function
// and qualifier. Wire shapes in and out are converted here; the rules live in EventInvokeConfigService.
import type { EventInvokeConfigInput, EventInvokeConfigService, EventInvokeConfigView } from '../../services/index.js';
import { AwsError } from '../../shared/errors.js';
import { readBody, sendEmpty, sendJson } from '../http.js';
import type { ApiCall, Router } from '../router.js';
import { parseJsonBody } from '../wire-input.js';
import { maxItemsParam } from './functions.js';

const REQUEST_LIMIT = 1024 * 1024;
type Json = Record<string, unknown>;

function serialization(message: string): AwsError {
  return new AwsError('SerializationException', message, { status: 400, faultType: null });
}

function int(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw serialization(`STRING_VALUE can not be converted to an Integer`);
  return v;
}

/** `OnSuccess: {}` (or `{Destination: null}`) is accepted and means unset: null. */
function destination(config: Json | undefined, key: 'OnSuccess' | 'OnFailure'): string | null | undefined {
  const member = config?.[key];
  if (member === undefined || member === null) return undefined;
  if (typeof member !== 'object') throw serialization(`Unexpected value for ${key}`);
  const arn = (member as Json)['Destination'];
  if (arn === undefined || arn === null) return null;
  if (typeof arn !== 'string') throw serialization(`Unexpected value for ${key}.Destination`);
  return arn;
}

export async function eventInvokeConfigInput(call: ApiCall, operation: string): Promise<EventInvokeConfigInput> {
  const body = parseJsonBody(await readBody(call.req, REQUEST_LIMIT, operation));
  const dc = body['DestinationConfig'];
  const config = dc === undefined || dc === null ? undefined : (dc as Json);
  const retries = int(body, 'MaximumRetryAttempts');
  const age = int(body, 'MaximumEventAgeInSeconds');
  const onSuccess = destination(config, 'OnSuccess');
  const onFailure = destination(config, 'OnFailure');
  return {
    ...(retries === undefined ? {} : { maximumRetryAttempts: retries }),
    ...(age === undefined ? {} : { maximumEventAgeSec: age }),
    ...(onSuccess === undefined ? {} : { onSuccess }),
    ...(onFailure === undefined ? {} : { onFailure }),
  };
}

/** AWS's FunctionEventInvokeConfig: DestinationConfig always present, LastModified in epoch seconds. */
export function functionEventInvokeConfig(v: EventInvokeConfigView): Json {
  return {
    LastModified: v.lastModified / 1000,
    FunctionArn: v.functionArn,
    ...(v.maximumRetryAttempts === undefined ? {} : { MaximumRetryAttempts: v.maximumRetryAttempts }),
    ...(v.maximumEventAgeSec === undefined ? {} : { MaximumEventAgeInSeconds: v.maximumEventAgeSec }),
    DestinationConfig: {
      OnSuccess: v.onSuccess === undefined ? {} : { Destination: v.onSuccess },
      OnFailure: v.onFailure === undefined ? {} : { Destination: v.onFailure },
    },
  };
}

export function registerEventInvokeConfigOperations(router: Router, configs: EventInvokeConfigService): void {
  const path = '/2019-09-25/functions/{name}/event-invoke-config';
  const name = (call: ApiCall) => call.params['name'] ?? '';
  const qualifier = (call: ApiCall) => call.query.get('Qualifier') ?? undefined;

  router.add('PUT', path, async (call) => {
    const input = await eventInvokeConfigInput(call, 'PutFunctionEventInvokeConfig');
    sendJson(call.res, 200, functionEventInvokeConfig(configs.put(call.ctx, name(call), qualifier(call), input)));
  });
  router.add('POST', path, async (call) => {
    const input = await eventInvokeConfigInput(call, 'UpdateFunctionEventInvokeConfig');
    sendJson(call.res, 200, functionEventInvokeConfig(configs.update(call.ctx, name(call), qualifier(call), input)));
  });
  router.add('GET', path, (call) => sendJson(call.res, 200, functionEventInvokeConfig(configs.get(call.ctx, name(call), qualifier(call)))));
  router.add('DELETE', path, (call) => {
    configs.delete(call.ctx, name(call), qualifier(call));
    sendEmpty(call.res, 204);
  });
  router.add('GET', `${path}/list`, (call) => {
    const page = configs.list(call.ctx, name(call), call.query.get('Marker') ?? undefined, maxItemsParam(call));
    sendJson(call.res, 200, {
      FunctionEventInvokeConfigs: page.items.map(functionEventInvokeConfig),
      ...(page.nextMarker === undefined ? {} : { NextMarker: page.nextMarker }),
    });
  });
}
