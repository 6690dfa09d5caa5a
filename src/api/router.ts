// Maps (method, path) to an operation handler. Paths are matched percent-encoded, as clients send ARNs in
// them (`arn%3Aaws%3A...`), and parameters are decoded after matching (spec/lambda-wire.md a.1).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestContext } from '../services/index.js';

export interface ApiCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly ctx: RequestContext;
}

export type Handler = (call: ApiCall) => Promise<void> | void;

interface Route {
  readonly method: string;
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  /** `template` uses `{name}` for one path segment; a trailing `/?` accepts an optional slash. */
  add(method: string, template: string, handler: Handler): this {
    const keys: string[] = [];
    const source = template.replace(/\{(\w+)\}/g, (_, key: string) => {
      keys.push(key);
      return '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (m === null) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = decodeSegment(m[i + 1] ?? '')));
      return { handler: route.handler, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

/** A malformed escape is kept as sent, so it fails the parameter's validation (400) instead of crashing (500). */
function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
