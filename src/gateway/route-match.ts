// Route selection of HTTP APIs, as API Gateway documents it: the most specific route wins — literal segments over
// `{variables}`, variables over a greedy `{proxy+}`, a route for the method over `ANY` — and `$default` catches
// the rest. https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html
import { type HttpApiRoute, parseRouteKey } from '../model/index.js';

export interface RouteMatch {
  readonly route: HttpApiRoute;
  /** Path parameters, decoded; absent for routes without variables. */
  readonly pathParameters?: Record<string, string>;
  /** The route's path, e.g. `/items/{id}` (`$default` for the default route). */
  readonly resourcePath: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function matchRoute(routes: readonly HttpApiRoute[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split('/').slice(1).filter((s, i, all) => s !== '' || i < all.length - 1);
  let best: { match: RouteMatch; score: number[] } | undefined;
  let fallback: RouteMatch | undefined;
  for (const route of routes) {
    const key = parseRouteKey(route.routeKey);
    if (key === undefined) continue;
    if (key === '$default') {
      fallback = { route, resourcePath: '$default' };
      continue;
    }
    if (key.method !== 'ANY' && key.method !== method) continue;
    const params = matchSegments(key.segments, segments);
    if (params === undefined) continue;
    const greedy = key.segments.some((s) => s.endsWith('+}'));
    const literals = key.segments.filter((s) => !s.startsWith('{')).length;
    const score = [greedy ? 0 : 1, literals, key.segments.length, key.method === 'ANY' ? 0 : 1];
    if (best === undefined || compare(score, best.score) > 0) {
      best = {
        match: { route, resourcePath: `/${key.segments.join('/')}`, ...(Object.keys(params).length === 0 ? {} : { pathParameters: params }) },
        score,
      };
    }
  }
  return best?.match ?? fallback;
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (const [i, p] of pattern.entries()) {
    if (p.endsWith('+}')) {
      const rest = segments.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[p.slice(1, -2)] = decode(rest.join('/'));
      return params;
    }
    const s = segments[i];
    if (s === undefined || s === '') return undefined;
    if (p.startsWith('{')) params[p.slice(1, -1)] = decode(s);
    else if (p !== s) return undefined;
  }
  return pattern.length === segments.length ? params : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i += 1) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}
