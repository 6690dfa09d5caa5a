// AWS wire request bodies of the function URL and permission operations → typed service inputs, and the URL
// configuration's wire shape (see wire-input.ts for the parsing rules).
import type { FunctionPermissionInput, FunctionUrlInput, FunctionUrlRecord, UrlCors } from '../model/index.js';
import { urlArn } from '../services/index.js';
import { num, obj, serializationError, str, stringList } from './wire-input.js';

type Json = Record<string, unknown>;

function defined<T extends object>(o: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function bool(o: Json, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw serializationError();
  return v;
}

export function urlInput(o: Json): FunctionUrlInput {
  const c = obj(o, 'Cors');
  const cors = c === undefined ? undefined : defined<UrlCors>({
    allowCredentials: bool(c, 'AllowCredentials'), allowHeaders: stringList(c, 'AllowHeaders'), allowMethods: stringList(c, 'AllowMethods'),
    allowOrigins: stringList(c, 'AllowOrigins'), exposeHeaders: stringList(c, 'ExposeHeaders'), maxAge: num(c, 'MaxAge'),
  });
  return defined<FunctionUrlInput>({ authType: str(o, 'AuthType'), cors, invokeMode: str(o, 'InvokeMode') });
}

export function permissionInput(o: Json): FunctionPermissionInput {
  return defined<FunctionPermissionInput>({
    statementId: str(o, 'StatementId'), action: str(o, 'Action'), principal: str(o, 'Principal'), sourceArn: str(o, 'SourceArn'),
    sourceAccount: str(o, 'SourceAccount'), eventSourceToken: str(o, 'EventSourceToken'), principalOrgId: str(o, 'PrincipalOrgID'),
    functionUrlAuthType: str(o, 'FunctionUrlAuthType'), revisionId: str(o, 'RevisionId'),
  });
}

function corsShape(cors: UrlCors): Json {
  return defined<Json>({
    AllowCredentials: cors.allowCredentials, AllowHeaders: cors.allowHeaders, AllowMethods: cors.allowMethods, AllowOrigins: cors.allowOrigins,
    ExposeHeaders: cors.exposeHeaders, MaxAge: cors.maxAge,
  });
}

/** `http://<url-id>.lambda-url.<region>.localhost:<port>/`: names under .localhost reach loopback (RFC 6761). */
export function functionUrl(url: FunctionUrlRecord, port: string): string {
  return `http://${url.urlId}.lambda-url.${url.region}.localhost${port === '' ? '' : `:${port}`}/`;
}

/**
 * The configuration as AWS answers each operation: Create echoes InvokeMode only when it was given and has no
 * LastModifiedTime; Update echoes InvokeMode only once one was set; Get and List always report it (BUFFERED default).
 */
export function urlConfigShape(url: FunctionUrlRecord, port: string, operation: 'create' | 'update' | 'read'): Json {
  return defined<Json>({
    FunctionUrl: functionUrl(url, port),
    FunctionArn: urlArn(url),
    AuthType: url.authType,
    Cors: url.cors === undefined ? undefined : corsShape(url.cors),
    CreationTime: url.creationTime,
    LastModifiedTime: operation === 'create' ? undefined : url.lastModifiedTime,
    InvokeMode: operation === 'read' ? (url.invokeMode ?? 'BUFFERED') : url.invokeMode,
  });
}
