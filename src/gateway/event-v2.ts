// Builds the payload format 2.0 event (spec/lambda-wire.md c.1) that function URLs and HTTP APIs send: raw path
// and query, cookies split out of the Cookie header, lower-case headers with repeats comma-joined, query
// parameters with repeats comma-joined, requestContext, and the body (base64 unless it is text).
import { clfTime, isTextContent, queryPairs, type TriggerRequest } from './http-request.js';

export interface EventV2Context {
  readonly accountId: string;
  readonly apiId: string;
  readonly domainName: string;
  readonly requestId: string;
  readonly nowMs: number;
  readonly routeKey: string;
  readonly stage: string;
  /** The decoded request path (HTTP APIs give the path without the stage). */
  readonly path: string;
  readonly iam?: { readonly accessKey: string; readonly accountId: string; readonly callerId: string; readonly userArn: string; readonly userId: string };
  readonly pathParameters?: Readonly<Record<string, string>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

export function buildEventV2(req: TriggerRequest, ctx: EventV2Context): Record<string, unknown> {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of req.headers) {
    if (name === 'cookie') {
      cookies = values.flatMap((v) => v.split(';')).map((c) => c.trim()).filter((c) => c !== '');
      continue;
    }
    headers[name] = values.join(',');
  }
  const query: Record<string, string> = {};
  for (const [k, v] of queryPairs(req.rawQuery)) query[k] = k in query ? `${query[k] ?? ''},${v}` : v;
  const text = isTextContent(headers['content-type']);
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: ctx.routeKey,
    rawPath: req.rawPath,
    rawQueryString: req.rawQuery,
    ...(cookies === undefined || cookies.length === 0 ? {} : { cookies }),
    headers,
    ...(Object.keys(query).length === 0 ? {} : { queryStringParameters: query }),
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      ...(ctx.iam === undefined ? {} : { authorizer: { iam: { ...ctx.iam, cognitoIdentity: null, principalOrgId: null } } }),
      domainName: ctx.domainName,
      domainPrefix: ctx.domainName.split('.')[0] ?? '',
      http: { method: req.method, path: ctx.path, protocol: req.protocol, sourceIp: req.sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: ctx.requestId,
      routeKey: ctx.routeKey,
      stage: ctx.stage,
      time: clfTime(ctx.nowMs),
      timeEpoch: ctx.nowMs,
    },
    ...(ctx.pathParameters === undefined ? {} : { pathParameters: ctx.pathParameters }),
    ...(req.body.length === 0 ? {} : { body: text ? req.body.toString('utf8') : req.body.toString('base64') }),
    isBase64Encoded: req.body.length > 0 && !text,
    ...(ctx.stageVariables === undefined ? {} : { stageVariables: ctx.stageVariables }),
  };
  return event;
}

/** The decoded form of a raw path, as requestContext.http.path carries it. */
export function decodedPath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
}
