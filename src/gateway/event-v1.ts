// Builds the payload format 1.0 event (spec/lambda-wire.md c.2, the REST API proxy shape) that HTTP API integrations
// with payloadFormatVersion 1.0 send: single- and multi-value headers and query parameters, path parameters, stage
// variables (null when none), requestContext with an identity, and the body (base64 unless it is text).
import { clfTime, isTextContent, queryPairs, type TriggerRequest } from './http-request.js';

export interface EventV1Context {
  readonly accountId: string;
  readonly apiId: string;
  readonly domainName: string;
  readonly requestId: string;
  readonly nowMs: number;
  readonly stage: string;
  readonly routeKey: string;
  /** The route's path (`/items/{id}`), `$default` for the default route. */
  readonly resourcePath: string;
  /** The decoded request path. */
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
  readonly stageVariables: Readonly<Record<string, string>> | undefined;
}

export function buildEventV1(req: TriggerRequest, ctx: EventV1Context): Record<string, unknown> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of req.headers) {
    headers[name] = values[values.length - 1] ?? '';
    multiValueHeaders[name] = [...values];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of queryPairs(req.rawQuery)) {
    query[k] = v;
    (multiQuery[k] ??= []).push(v);
  }
  const hasQuery = Object.keys(query).length > 0;
  const text = isTextContent(headers['content-type']);
  const userAgent = headers['user-agent'] ?? '';
  return {
    version: '1.0',
    resource: ctx.resourcePath,
    path: ctx.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    requestContext: {
      accountId: ctx.accountId,
      apiId: ctx.apiId,
      domainName: ctx.domainName,
      domainPrefix: ctx.domainName.split('.')[0] ?? '',
      extendedRequestId: ctx.requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null, accountId: null, caller: null, cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: req.sourceIp, user: null, userAgent, userArn: null,
      },
      path: ctx.path,
      protocol: req.protocol,
      requestId: ctx.requestId,
      requestTime: clfTime(ctx.nowMs),
      requestTimeEpoch: ctx.nowMs,
      resourceId: ctx.routeKey,
      resourcePath: ctx.resourcePath,
      stage: ctx.stage,
    },
    pathParameters: ctx.pathParameters ?? null,
    stageVariables: ctx.stageVariables ?? null,
    body: req.body.length === 0 ? null : text ? req.body.toString('utf8') : req.body.toString('base64'),
    isBase64Encoded: req.body.length > 0 && !text,
  };
}
