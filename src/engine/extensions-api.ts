// The Extensions API 2020-01-01 of one execution environment (spec/lambda-wire.md b.3), answered as AWS's runtime
// interface emulator answers it (RIE rapi/handler/agent*.go, rapi/middleware): register, event/next, init/error and
// exit/error, the identifier checks (403 Extension.MissingExtensionIdentifier / InvalidExtensionIdentifier /
// UnknownExtensionIdentifier) and each extension's state machine. It also routes PUT /2022-07-01/telemetry (and the
// deprecated Logs API's PUT /2020-08-15/logs, as a thin alias) to the extension host. It is served on the Runtime
// API's host:port. What registration, readiness and errors mean for the environment is ExtensionsApiHost's business.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBoundedBody } from '../shared/http-body.js';
import type { SubscribeAnswer } from './telemetry-api.js';

export type ExtensionEventName = 'INVOKE' | 'SHUTDOWN';

/** RIE's extension states; they appear in 403 messages. */
export type ExtensionState = 'Registered' | 'Ready' | 'Running' | 'InitError' | 'ExitError';

export interface Extension {
  readonly id: string;
  readonly name: string;
  /** An executable of /opt/extensions (else an internal extension, registered from the runtime's process). */
  readonly external: boolean;
  readonly events: ReadonlySet<ExtensionEventName>;
  state: ExtensionState;
  /** Its pending GET /event/next, until an event is written to it. */
  parked: ServerResponse | undefined;
  /** An event handed out while the extension was busy: it gets it at its next /next. */
  pending: { readonly name: ExtensionEventName; readonly body: Buffer } | undefined;
  /** The event it is working on (written to its /next and not yet followed by another /next). */
  current: ExtensionEventName | undefined;
}

export interface ExtensionsApiHost {
  /** Whether internal extensions may still register (until init is over). */
  registrationOpen(): boolean;
  /** Whether `name` is an executable of /opt/extensions. */
  isExternal(name: string): boolean;
  metadata(): { functionName: string; functionVersion: string; handler: string; accountId: string };
  registered(ext: Extension): void;
  /** The extension asked for its next event: it is done with `finished` (INIT: its first /next). */
  ready(ext: Extension, finished: ExtensionEventName | 'INIT'): void;
  failed(ext: Extension, kind: 'init' | 'exit', errorType: string): void;
  subscribe(ext: Extension, body: Buffer, api: 'telemetry' | 'logs'): SubscribeAnswer;
}

/** RIE's limit on extensions per environment (core.MaxAgentsAllowed). */
export const MAX_EXTENSIONS = 10;
const MAX_BODY_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Route = 'register' | 'next' | 'init-error' | 'exit-error' | 'telemetry' | 'logs';
const ROUTES: Record<string, { route: Route; method: string }> = {
  '/2020-01-01/extension/register': { route: 'register', method: 'POST' },
  '/2020-01-01/extension/event/next': { route: 'next', method: 'GET' },
  '/2020-01-01/extension/init/error': { route: 'init-error', method: 'POST' },
  '/2020-01-01/extension/exit/error': { route: 'exit-error', method: 'POST' },
  '/2022-07-01/telemetry': { route: 'telemetry', method: 'PUT' },
  '/2022-07-01/telemetry/': { route: 'telemetry', method: 'PUT' },
  '/2020-08-15/logs': { route: 'logs', method: 'PUT' },
  '/2020-08-15/logs/': { route: 'logs', method: 'PUT' },
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const forbidden = (res: ServerResponse, errorType: string, errorMessage: string): void => sendJson(res, 403, { errorMessage, errorType });
const transition = (ext: Extension, to: ExtensionState): string =>
  `State transition from ${ext.state} to ${to} failed for extension ${ext.id}. Error: State transition is not allowed`;

export class ExtensionsApi {
  private readonly byId = new Map<string, Extension>();

  constructor(private readonly host: ExtensionsApiHost) {}

  get extensions(): Extension[] {
    return [...this.byId.values()];
  }

  /** Answers the request when its path is one of this API's; false leaves it to the Runtime API. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const found = ROUTES[(req.url ?? '').split('?')[0] ?? ''];
    if (found === undefined) return false;
    if (req.method !== found.method) {
      res.writeHead(405, { Allow: found.method, 'Content-Length': 0 });
      res.end();
      return true;
    }
    this.route(found.route, req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errorMessage: 'Internal Server Error', errorType: 'InternalServerError' });
      else res.destroy();
    });
    return true;
  }

  /** Hands an event to the extension: now if it is parked in /next, else at its next /next. */
  deliver(ext: Extension, name: ExtensionEventName, event: unknown): void {
    ext.pending = { name, body: Buffer.from(JSON.stringify(event)) };
    this.flushPending(ext);
  }

  /** The environment is gone: parked requests are closed, nothing more is answered. */
  close(): void {
    for (const ext of this.byId.values()) {
      ext.parked?.destroy();
      ext.parked = undefined;
    }
  }

  private async route(route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (route === 'register') return this.register(req, res);
    const ext = this.identify(req, res, route === 'init-error' || route === 'exit-error');
    if (ext === undefined) return void req.resume();
    if (route === 'next') return this.next(ext, res);
    if (route === 'telemetry' || route === 'logs') {
      const body = (await readBoundedBody(req, MAX_BODY_BYTES)) ?? Buffer.alloc(0);
      const answer = this.host.subscribe(ext, body, route);
      if (typeof answer.body !== 'string') return sendJson(res, answer.status, answer.body);
      // Success is the bare text OK (AWS docs, telemetry-api-reference "Responses").
      res.writeHead(answer.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(answer.body) });
      return void res.end(answer.body);
    }
    return this.error(ext, route === 'init-error' ? 'init' : 'exit', req, res);
  }

  /** The Lambda-Extension-Identifier checks every call but register makes (RIE's middleware), in RIE's order. */
  private identify(req: IncomingMessage, res: ServerResponse, errorCall: boolean): Extension | undefined {
    const id = req.headers['lambda-extension-identifier'];
    if (typeof id !== 'string' || id === '') return void forbidden(res, 'Extension.MissingExtensionIdentifier', 'Missing Lambda-Extension-Identifier header');
    if (!UUID.test(id)) return void forbidden(res, 'Extension.InvalidExtensionIdentifier', 'Invalid Lambda-Extension-Identifier');
    if (errorCall && !req.headers['lambda-extension-function-error-type']) {
      return void forbidden(res, 'Extension.MissingHeader', 'Lambda-Extension-Function-Error-Type not found');
    }
    const ext = this.byId.get(id.toLowerCase());
    if (ext === undefined) {
      return void forbidden(res, 'Extension.UnknownExtensionIdentifier', errorCall ? 'Unknown Lambda-Extension-Identifier' : `Unknown extension ${id}`);
    }
    return ext;
  }

  private async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const name = req.headers['lambda-extension-name'];
    const body = (await readBoundedBody(req, MAX_BODY_BYTES)) ?? Buffer.alloc(0);
    if (typeof name !== 'string' || name === '') return forbidden(res, 'Extension.InvalidExtensionName', 'Empty extension name');
    const events = parseEvents(body);
    if (typeof events === 'string') return forbidden(res, 'InvalidRequestFormat', events);
    const external = this.host.isExternal(name);
    // External extensions may subscribe to INVOKE and SHUTDOWN; internal ones (threads of the runtime) to INVOKE only.
    const bad = events.find((e) => e !== 'INVOKE' && (e !== 'SHUTDOWN' || !external));
    if (bad !== undefined) return forbidden(res, 'Extension.InvalidEventType', `${bad}: ErrorInvalidEventType`);
    const existing = this.extensions.find((e) => e.name === name);
    if (external && existing !== undefined) {
      return forbidden(res, 'Extension.InvalidExtensionState', `State transition from ${existing.state} to Registered failed for extension ${name}. Error: State transition is not allowed`);
    }
    if (!external) {
      if (!this.host.registrationOpen()) return forbidden(res, 'Extension.RegistrationClosed', 'Extension registration closed already');
      if (existing !== undefined) return forbidden(res, 'Extension.InvalidExtensionState', 'Extension with this name already registered');
      if (this.byId.size >= MAX_EXTENSIONS) return forbidden(res, 'Extension.TooManyExtensions', `Extension limit (${MAX_EXTENSIONS}) reached`);
    }
    const ext: Extension = { id: randomUUID(), name, external, events: new Set(events as ExtensionEventName[]), state: 'Registered', parked: undefined, pending: undefined, current: undefined };
    this.byId.set(ext.id, ext);
    const meta = this.host.metadata();
    const features = String(req.headers['lambda-extension-accept-feature'] ?? '').split(',').map((f) => f.trim());
    const answer = {
      functionName: meta.functionName, functionVersion: meta.functionVersion, handler: meta.handler,
      ...(features.includes('accountId') ? { accountId: meta.accountId } : {}),
    };
    sendJson(res, 200, answer, { 'Lambda-Extension-Identifier': ext.id });
    this.host.registered(ext);
  }

  private next(ext: Extension, res: ServerResponse): void {
    if (ext.state === 'InitError' || ext.state === 'ExitError') return forbidden(res, 'Extension.InvalidExtensionState', transition(ext, 'Ready'));
    ext.parked?.destroy();
    ext.parked = res;
    res.on('close', () => {
      if (ext.parked === res) ext.parked = undefined;
    });
    // Asking for the next event ends the last one (init, for the first /next); asking twice ends nothing.
    const finished = ext.state === 'Ready' ? undefined : ext.current ?? 'INIT';
    ext.state = 'Ready';
    ext.current = undefined;
    if (finished !== undefined) this.host.ready(ext, finished);
    this.flushPending(ext);
  }

  private flushPending(ext: Extension): void {
    const res = ext.parked;
    const event = ext.pending;
    if (res === undefined || event === undefined) return;
    ext.parked = undefined;
    ext.pending = undefined;
    ext.current = event.name;
    ext.state = 'Running';
    res.writeHead(200, { 'Lambda-Extension-Event-Identifier': randomUUID(), 'Content-Type': 'application/json', 'Content-Length': event.body.length });
    res.end(event.body);
  }

  private async error(ext: Extension, kind: 'init' | 'exit', req: IncomingMessage, res: ServerResponse): Promise<void> {
    await readBoundedBody(req, MAX_BODY_BYTES);
    const to = kind === 'init' ? 'InitError' : 'ExitError';
    // init/error only before the extension's first /next; exit/error any time until it has reported one of them.
    const allowed = kind === 'init' ? ext.state === 'Registered' : ext.state !== 'InitError' && ext.state !== 'ExitError';
    if (!allowed) return forbidden(res, 'Extension.InvalidExtensionState', transition(ext, to));
    ext.state = to;
    ext.parked?.destroy();
    ext.parked = undefined;
    sendJson(res, 202, { status: 'OK' });
    this.host.failed(ext, kind, String(req.headers['lambda-extension-function-error-type']));
  }
}

/** The register body: `{"events": [...]}` (absent events: none); RIE also refuses the old `configurationKeys`. */
function parseEvents(body: Buffer): string[] | string {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch (err) {
    // Go's wording for the commonest case; others keep JavaScript's.
    return body.length === 0 ? 'unexpected end of JSON input' : (err as Error).message;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'json: cannot unmarshal into Go value of type handler.RegisterRequest';
  const { events, configurationKeys } = input as Record<string, unknown>;
  if (Array.isArray(configurationKeys) && configurationKeys.length > 0) return 'configurationKeys are deprecated; use environment variables instead';
  if (events === undefined || events === null) return [];
  if (!Array.isArray(events) || !events.every((e) => typeof e === 'string')) return 'json: cannot unmarshal events into Go struct field RegisterRequest.events of type []core.Event';
  return events as string[];
}
