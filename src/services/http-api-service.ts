// HTTP API use cases (API Gateway v2 subset): CreateApi (with quick create: Target → an AWS_PROXY integration, its
// route and an auto-deploying $default stage), GetApi(s), DeleteApi, routes, integrations and stages. Every
// change replaces the API's document. Nimbus deploys at once: there are no deployments to create.
import { randomBytes } from 'node:crypto';
import {
  badRequestV2, conflictV2, httpApiMessages, type HttpApiIntegration, type UrlCors, type HttpApiRecord, type HttpApiRoute, type HttpApiStage, lambdaTargetOf, notFoundV2,
  parseRouteKey,
} from '../model/index.js';
import type { Clock } from '../shared/clock.js';
import type { HttpApiRepository } from '../store/index.js';
import type { RequestContext } from './context.js';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const newId = (length: number): string => [...randomBytes(length)].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
/** API Gateway's timestamps: ISO-8601 without fractions (`2024-05-01T12:00:00Z`). */
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface CreateApiInput {
  readonly name?: string;
  readonly protocolType?: string;
  readonly description?: string;
  readonly version?: string;
  readonly target?: string;
  readonly routeKey?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly cors?: UrlCors;
}

export interface IntegrationInput {
  readonly integrationType?: string;
  readonly integrationUri?: string;
  readonly payloadFormatVersion?: string;
  readonly timeoutInMillis?: number;
  readonly description?: string;
}

export interface StageInput {
  readonly stageName?: string;
  readonly autoDeploy?: boolean;
  readonly stageVariables?: Readonly<Record<string, string>>;
  readonly description?: string;
}

export class HttpApiService {
  constructor(private readonly repo: HttpApiRepository, private readonly clock: Clock) {}

  createApi(ctx: RequestContext, input: CreateApiInput): HttpApiRecord {
    if (input.name === undefined || input.name === '') throw badRequestV2(httpApiMessages.nameRequired);
    if (input.protocolType !== 'HTTP') {
      throw badRequestV2(httpApiMessages.protocol(input.protocolType));
    }
    if (input.routeKey !== undefined && input.target === undefined) throw badRequestV2(httpApiMessages.routeKeyWithoutTarget);
    const now = isoSeconds(this.clock.now());
    let api: HttpApiRecord = {
      apiId: newId(10), accountId: ctx.accountId, region: ctx.region, name: input.name, createdDate: now,
      ...(input.description === undefined ? {} : { description: input.description }), ...(input.version === undefined ? {} : { version: input.version }),
      ...(input.tags === undefined ? {} : { tags: input.tags }), ...(input.cors === undefined ? {} : { cors: input.cors }),
      routes: [], integrations: [], stages: [],
    };
    if (input.target !== undefined) {
      // Quick create: what AWS makes and marks as managed by API Gateway.
      const integration = this.integrationOf({ integrationType: 'AWS_PROXY', integrationUri: input.target, payloadFormatVersion: '2.0' }, true);
      const routeKey = input.routeKey ?? '$default';
      checkRouteKey(routeKey);
      api = {
        ...api,
        integrations: [integration],
        routes: [{ routeId: newId(7), routeKey, target: `integrations/${integration.integrationId}`, apiGatewayManaged: true }],
        stages: [{ stageName: '$default', autoDeploy: true, createdDate: now, lastUpdatedDate: now, apiGatewayManaged: true }],
      };
    }
    this.repo.put(api);
    return api;
  }

  getApi(ctx: RequestContext, apiId: string): HttpApiRecord {
    const api = this.repo.get(apiId);
    if (api === undefined || api.accountId !== ctx.accountId || api.region !== ctx.region) throw notFoundV2(httpApiMessages.apiNotFound(ctx.accountId, apiId));
    return api;
  }

  listApis(ctx: RequestContext): HttpApiRecord[] {
    return this.repo.list(ctx.accountId, ctx.region);
  }

  deleteApi(ctx: RequestContext, apiId: string): void {
    this.getApi(ctx, apiId);
    this.repo.delete(apiId);
  }

  createRoute(ctx: RequestContext, apiId: string, routeKey: string | undefined, target: string | undefined): HttpApiRoute {
    const api = this.getApi(ctx, apiId);
    if (routeKey === undefined) throw badRequestV2(httpApiMessages.routeKeyRequired);
    checkRouteKey(routeKey);
    if (api.routes.some((r) => r.routeKey === routeKey)) throw conflictV2(httpApiMessages.routeExists(routeKey));
    if (target !== undefined) this.checkTarget(api, target);
    const route: HttpApiRoute = { routeId: newId(7), routeKey, ...(target === undefined ? {} : { target }) };
    this.repo.put({ ...api, routes: [...api.routes, route] });
    return route;
  }

  getRoute(ctx: RequestContext, apiId: string, routeId: string): HttpApiRoute {
    const route = this.getApi(ctx, apiId).routes.find((r) => r.routeId === routeId);
    if (route === undefined) throw notFoundV2(httpApiMessages.routeNotFound(routeId));
    return route;
  }

  deleteRoute(ctx: RequestContext, apiId: string, routeId: string): void {
    const api = this.getApi(ctx, apiId);
    this.getRoute(ctx, apiId, routeId);
    this.repo.put({ ...api, routes: api.routes.filter((r) => r.routeId !== routeId) });
  }

  createIntegration(ctx: RequestContext, apiId: string, input: IntegrationInput): HttpApiIntegration {
    const api = this.getApi(ctx, apiId);
    const integration = this.integrationOf(input, false);
    this.repo.put({ ...api, integrations: [...api.integrations, integration] });
    return integration;
  }

  getIntegration(ctx: RequestContext, apiId: string, integrationId: string): HttpApiIntegration {
    const integration = this.getApi(ctx, apiId).integrations.find((i) => i.integrationId === integrationId);
    if (integration === undefined) throw notFoundV2(httpApiMessages.integrationNotFound(integrationId));
    return integration;
  }

  deleteIntegration(ctx: RequestContext, apiId: string, integrationId: string): void {
    const api = this.getApi(ctx, apiId);
    this.getIntegration(ctx, apiId, integrationId);
    if (api.routes.some((r) => r.target === `integrations/${integrationId}`)) {
      throw conflictV2(httpApiMessages.integrationInUse(integrationId));
    }
    this.repo.put({ ...api, integrations: api.integrations.filter((i) => i.integrationId !== integrationId) });
  }

  createStage(ctx: RequestContext, apiId: string, input: StageInput): HttpApiStage {
    const api = this.getApi(ctx, apiId);
    const name = input.stageName;
    if (name === undefined || !/^(\$default|[a-zA-Z0-9-_]{1,128})$/.test(name)) throw badRequestV2(httpApiMessages.stageName(name));
    if (api.stages.some((s) => s.stageName === name)) throw conflictV2(httpApiMessages.stageExists(name));
    const now = isoSeconds(this.clock.now());
    const stage: HttpApiStage = {
      stageName: name, autoDeploy: input.autoDeploy ?? false, createdDate: now, lastUpdatedDate: now,
      ...(input.stageVariables === undefined ? {} : { stageVariables: input.stageVariables }), ...(input.description === undefined ? {} : { description: input.description }),
    };
    this.repo.put({ ...api, stages: [...api.stages, stage] });
    return stage;
  }

  getStage(ctx: RequestContext, apiId: string, stageName: string): HttpApiStage {
    const stage = this.getApi(ctx, apiId).stages.find((s) => s.stageName === stageName);
    if (stage === undefined) throw notFoundV2(httpApiMessages.stageNotFound);
    return stage;
  }

  deleteStage(ctx: RequestContext, apiId: string, stageName: string): void {
    const api = this.getApi(ctx, apiId);
    this.getStage(ctx, apiId, stageName);
    this.repo.put({ ...api, stages: api.stages.filter((s) => s.stageName !== stageName) });
  }

  /** UpdateApi: the members given replace the API's (routes, integrations and stages are left alone). */
  updateApi(ctx: RequestContext, apiId: string, input: Omit<CreateApiInput, 'protocolType' | 'target' | 'routeKey' | 'tags'>): HttpApiRecord {
    const api = this.getApi(ctx, apiId);
    if (input.name === '') throw badRequestV2(httpApiMessages.nameRequired);
    const next: HttpApiRecord = { ...api, ...defined({ name: input.name, description: input.description, version: input.version, cors: input.cors }) };
    this.repo.put(next);
    return next;
  }

  updateRoute(ctx: RequestContext, apiId: string, routeId: string, routeKey: string | undefined, target: string | undefined): HttpApiRoute {
    const api = this.getApi(ctx, apiId);
    const route = this.getRoute(ctx, apiId, routeId);
    if (routeKey !== undefined) {
      checkRouteKey(routeKey);
      if (api.routes.some((r) => r.routeKey === routeKey && r.routeId !== routeId)) throw conflictV2(httpApiMessages.routeExists(routeKey));
    }
    if (target !== undefined) this.checkTarget(api, target);
    const next: HttpApiRoute = { ...route, ...defined({ routeKey, target }) };
    this.repo.put({ ...api, routes: api.routes.map((r) => (r.routeId === routeId ? next : r)) });
    return next;
  }

  updateIntegration(ctx: RequestContext, apiId: string, integrationId: string, input: IntegrationInput): HttpApiIntegration {
    const api = this.getApi(ctx, apiId);
    const current = this.getIntegration(ctx, apiId, integrationId);
    const next = this.integrationOf({ ...current, ...defined({ ...input }) }, current.apiGatewayManaged === true, integrationId);
    this.repo.put({ ...api, integrations: api.integrations.map((i) => (i.integrationId === integrationId ? next : i)) });
    return next;
  }

  updateStage(ctx: RequestContext, apiId: string, stageName: string, input: Omit<StageInput, 'stageName'>): HttpApiStage {
    const api = this.getApi(ctx, apiId);
    const current = this.getStage(ctx, apiId, stageName);
    const next: HttpApiStage = {
      ...current, ...defined({ autoDeploy: input.autoDeploy, stageVariables: input.stageVariables, description: input.description }),
      lastUpdatedDate: isoSeconds(this.clock.now()),
    };
    this.repo.put({ ...api, stages: api.stages.map((st) => (st.stageName === stageName ? next : st)) });
    return next;
  }

  /** The API a request's host or path names, for serving. */
  lookup(apiId: string): HttpApiRecord | undefined {
    return /^[a-z0-9]{10}$/.test(apiId) ? this.repo.get(apiId) : undefined;
  }

  private integrationOf(input: IntegrationInput, managed: boolean, integrationId = newId(7)): HttpApiIntegration {
    if (input.integrationType !== 'AWS_PROXY') {
      throw badRequestV2(httpApiMessages.integrationType(input.integrationType));
    }
    const uri = input.integrationUri ?? '';
    if (lambdaTargetOf(uri) === undefined) throw badRequestV2(httpApiMessages.integrationUri(uri));
    const version = input.payloadFormatVersion ?? '2.0';
    if (version !== '1.0' && version !== '2.0') throw badRequestV2(httpApiMessages.payloadVersion(version));
    const timeout = input.timeoutInMillis ?? 30000;
    if (timeout < 50 || timeout > 30000) throw badRequestV2(httpApiMessages.timeout);
    return {
      integrationId, integrationType: 'AWS_PROXY', integrationUri: uri, payloadFormatVersion: version, timeoutInMillis: timeout,
      ...(input.description === undefined ? {} : { description: input.description }), ...(managed ? { apiGatewayManaged: true } : {}),
    };
  }

  private checkTarget(api: HttpApiRecord, target: string): void {
    const id = /^integrations\/([a-z0-9]+)$/.exec(target)?.[1];
    if (id === undefined || !api.integrations.some((i) => i.integrationId === id)) throw badRequestV2(httpApiMessages.target(target));
  }
}

/** The members that were given (exactOptionalPropertyTypes: absent, not undefined). */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function checkRouteKey(routeKey: string): void {
  if (parseRouteKey(routeKey) === undefined) throw badRequestV2(httpApiMessages.routeKey(routeKey));
}
