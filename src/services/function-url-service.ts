// Function URL use cases: Create/Get/Update/Delete/ListFunctionUrlConfigs on `$LATEST` (no qualifier) or an alias,
// with AWS's validation order and wording (request validation, the function, then the configuration), and the
// url-id lookup the HTTP gateway serves requests by.
import { randomBytes } from 'node:crypto';
import {
  checkUrlQualifier, type FunctionRecord, type FunctionUrlInput, type FunctionUrlRecord, type InvokeMode, LATEST, resourceConflict,
  resourceNotFound, type UrlAuthType, urlMessages, validateUrlInput,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import type { Clock } from '../shared/clock.js';
import type { FunctionRepository, TriggerRepository } from '../store/index.js';
import type { RequestContext } from './context.js';
import { FunctionResolver } from './function-resolver.js';

const URL_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** AWS's timestamp form for URL configurations: ISO-8601 with microseconds and `Z` (e.g. 2024-05-01T12:00:00.123456Z). */
function urlTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function newUrlId(): string {
  return [...randomBytes(32)].map((b) => URL_ID_ALPHABET[b % URL_ID_ALPHABET.length]).join('');
}

export class FunctionUrlService {
  private readonly resolver: FunctionResolver;

  constructor(private readonly functions: FunctionRepository, private readonly urls: TriggerRepository, private readonly clock: Clock) {
    this.resolver = new FunctionResolver(functions);
  }

  create(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: FunctionUrlInput): FunctionUrlRecord {
    const { record, q } = this.target(ctx, functionName, qualifier, urlMessages.functionMissing);
    validateUrlInput(input, true);
    const now = urlTime(this.clock.now());
    const url: FunctionUrlRecord = {
      urlId: newUrlId(), accountId: record.accountId, region: record.region, functionName: record.name, qualifier: q,
      authType: input.authType as UrlAuthType, ...(input.cors === undefined ? {} : { cors: input.cors }),
      ...(input.invokeMode === undefined ? {} : { invokeMode: input.invokeMode as InvokeMode }), creationTime: now, lastModifiedTime: now,
    };
    if (!this.urls.insertUrl(url)) throw resourceConflict(urlMessages.exists(urlArn(url)));
    return url;
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): FunctionUrlRecord {
    const { record, q } = this.target(ctx, functionName, qualifier, urlMessages.notFound);
    const url = this.urls.getUrl(record, q);
    if (url === undefined) throw resourceNotFound(urlMessages.notFound);
    return url;
  }

  /** Fields left out keep their values; a Cors given replaces the whole Cors configuration. */
  update(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: FunctionUrlInput): FunctionUrlRecord {
    const { record, q } = this.target(ctx, functionName, qualifier, urlMessages.functionMissing);
    validateUrlInput(input, false);
    const current = this.urls.getUrl(record, q);
    if (current === undefined) throw resourceNotFound(urlMessages.notFound);
    const next: FunctionUrlRecord = {
      ...current,
      ...(input.authType === undefined ? {} : { authType: input.authType as UrlAuthType }),
      ...(input.cors === undefined ? {} : { cors: input.cors }),
      ...(input.invokeMode === undefined ? {} : { invokeMode: input.invokeMode as InvokeMode }),
      lastModifiedTime: urlTime(this.clock.now()),
    };
    this.urls.replaceUrl(next);
    return next;
  }

  delete(ctx: RequestContext, functionName: string, qualifier: string | undefined): void {
    const { record, q } = this.target(ctx, functionName, qualifier, urlMessages.notFound);
    if (!this.urls.deleteUrl(record, q)) throw resourceNotFound(urlMessages.notFound);
  }

  list(ctx: RequestContext, functionName: string, marker: string | undefined, maxItems: number | undefined): { items: FunctionUrlRecord[]; nextMarker?: string } {
    const ref = this.resolver.ref(ctx, functionName, undefined);
    const record = this.functions.get({ accountId: ctx.accountId, region: ctx.region, name: ref.name });
    if (record === undefined || (ref.accountId !== undefined && ref.accountId !== ctx.accountId)) throw resourceNotFound(urlMessages.functionMissing);
    const all = this.urls.listUrls(record).sort((a, b) => (a.qualifier === LATEST ? -1 : b.qualifier === LATEST ? 1 : a.qualifier.localeCompare(b.qualifier)));
    const start = marker === undefined ? 0 : Number(Buffer.from(marker, 'base64url').toString('utf8')) || 0;
    const limit = maxItems ?? 50;
    const items = all.slice(start, start + limit);
    return start + limit < all.length ? { items, nextMarker: Buffer.from(String(start + limit)).toString('base64url') } : { items };
  }

  /** The configuration a request's url-id names, if any. */
  lookup(urlId: string): FunctionUrlRecord | undefined {
    return /^[a-z0-9]{32}$/.test(urlId) ? this.urls.getUrlById(urlId) : undefined;
  }

  /** 1. qualifier pattern, 2. name/ARN validation and region, 3. the function, 4. the alias. */
  private target(ctx: RequestContext, functionName: string, qualifier: string | undefined, notFound: string): { record: FunctionRecord; q: string } {
    checkUrlQualifier(qualifier);
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    checkUrlQualifier(ref.qualifier);
    const record = this.resolver.functionOf(ctx, ref);
    if (record === undefined) throw resourceNotFound(notFound);
    const q = ref.qualifier ?? LATEST;
    if (q !== LATEST && this.functions.getAlias(record, q) === undefined) throw resourceNotFound(notFound);
    return { record, q };
  }
}

/** The ARN a URL configuration reports: unqualified for $LATEST, the alias ARN otherwise. */
export function urlArn(url: FunctionUrlRecord): string {
  return functionArn(url.region, url.accountId, url.functionName, url.qualifier === LATEST ? undefined : url.qualifier);
}
