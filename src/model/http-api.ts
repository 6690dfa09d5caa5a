// HTTP APIs (API Gateway v2, protocol HTTP): the subset Nimbus serves — routes, AWS_PROXY Lambda integrations
// (payload 1.0 or 2.0) and stages — as one aggregate per API, and route-key parsing.
import type { UrlCors } from './function-url.js';

export interface HttpApiRoute {
  readonly routeId: string;
  readonly routeKey: string;
  /** `integrations/<integration id>`. */
  readonly target?: string;
  readonly apiGatewayManaged?: boolean;
}

export interface HttpApiIntegration {
  readonly integrationId: string;
  readonly integrationType: 'AWS_PROXY';
  readonly integrationUri: string;
  readonly payloadFormatVersion: '1.0' | '2.0';
  readonly timeoutInMillis: number;
  readonly description?: string;
  readonly apiGatewayManaged?: boolean;
}

export interface HttpApiStage {
  readonly stageName: string;
  readonly autoDeploy: boolean;
  readonly stageVariables?: Readonly<Record<string, string>>;
  readonly description?: string;
  readonly createdDate: string;
  readonly lastUpdatedDate: string;
  readonly apiGatewayManaged?: boolean;
}

export interface HttpApiRecord {
  readonly apiId: string;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly description?: string;
  readonly version?: string;
  readonly createdDate: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** API-level CORS: the same members as a function URL's Cors (camelCase on this API's wire). */
  readonly cors?: UrlCors;
  readonly routes: readonly HttpApiRoute[];
  readonly integrations: readonly HttpApiIntegration[];
  readonly stages: readonly HttpApiStage[];
}

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'] as const;

export interface ParsedRouteKey {
  readonly method: string;
  /** Path segments; `{name}` and a final `{name+}` are variables. */
  readonly segments: readonly string[];
}

/** `$default`, or `METHOD /path` with `{var}` segments and at most a final greedy `{var+}`. */
export function parseRouteKey(routeKey: string): ParsedRouteKey | '$default' | undefined {
  if (routeKey === '$default') return '$default';
  const m = /^([A-Z]+) (\/[^\s]*)$/.exec(routeKey);
  if (m === null || !(ROUTE_METHODS as readonly string[]).includes(m[1] ?? '')) return undefined;
  const segments = (m[2] ?? '/').split('/').slice(1);
  if (segments.length === 1 && segments[0] === '') return { method: m[1] ?? '', segments: [] };
  for (const [i, s] of segments.entries()) {
    if (s === '') return undefined;
    if (s.includes('{') && !/^\{[a-zA-Z0-9._-]+\+?\}$/.test(s)) return undefined;
    if (s.endsWith('+}') && i !== segments.length - 1) return undefined;
  }
  return { method: m[1] ?? '', segments };
}


/** The function a Lambda integration URI names: a function ARN or API Gateway's `.../functions/<arn>/invocations` form. */
export function lambdaTargetOf(uri: string): { region: string; accountId: string; functionName: string; qualifier?: string } | undefined {
  const arn = /^arn:aws:apigateway:[^:]+:lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/.exec(uri)?.[1] ?? uri;
  const m = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9-_]+)(?::([a-zA-Z0-9-_$]+))?$/.exec(arn);
  if (m === null) return undefined;
  return { region: m[1] ?? '', accountId: m[2] ?? '', functionName: m[3] ?? '', ...(m[4] === undefined ? {} : { qualifier: m[4] }) };
}
