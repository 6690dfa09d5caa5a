// The external extensions of one execution environment (spec/lambda-wire.md b.3, b.6; AWS docs
// "runtimes-extensions-api", "lambda-runtime-environment"): finding the executables of /opt/extensions, starting
// them in the environment's sandbox before the runtime, holding the runtime back until every one has registered,
// and tracking which extensions have finished the current phase (init, an INVOKE, SHUTDOWN). It also owns the
// environment's Telemetry API subscriptions. The environment asks it the questions that gate its lifecycle
// (initDone, invokeDone) and is told of changes through `onChange`; it never decides an invocation's outcome.
//
// The launch: one sandbox runs a small shell supervisor that starts each extension in the background (its output
// on fd 3, its exit status reported on fd 4), waits on stdin for the platform's go-ahead (sent once every extension
// has registered), and then execs the runtime. So extensions share the runtime's sandbox, cgroups and limits, as
// on Lambda, and a function without extensions launches exactly as before.
import { accessSync, constants, readdirSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import type { SandboxControl } from '../sandbox/index.js';
import type { InvokeInput } from './environment-spec.js';
import { type Extension, type ExtensionEventName, ExtensionsApi, type ExtensionsApiHost } from './extensions-api.js';
import { LineSplitter } from './line-splitter.js';
import { type SubscribeAnswer, TelemetryHub } from './telemetry-api.js';

export interface ExtensionFailure {
  readonly errorType: string;
  /** The error's detail; the environment prefixes the request id, as in Lambda's messages. */
  readonly message: string;
}

export interface ExtensionHostOptions {
  /** Host directory of the function's merged layers, if it has any. */
  readonly optHostDir: string | undefined;
  /** Where the runtime sees /opt (the sandbox's /opt, or the host directory without a sandbox). */
  readonly seenOptDir: string;
  readonly metadata: { functionName: string; functionVersion: string; handler: string; accountId: string };
  /** Readiness or failure changed: the environment re-checks what it waits for. */
  readonly onChange: () => void;
  /** One line an extension wrote (stdout or stderr). */
  readonly onLogLine: (line: string) => void;
}

/** The runtime process ended (the sandbox and the extensions live on until the environment is stopped). */
export type RuntimeExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

/** Lambda's shutdown phase lasts 2,000 ms when external extensions are registered (500 ms with internal ones only). */
export const SHUTDOWN_EXTERNAL_MS = 2000;

/**
 * $@: the extensions' paths, `--`, the runtime's command. Each extension runs in a subshell that reports
 * "<index> <exit status>" on fd 4 when it ends; the runtime starts after a line on stdin, keeps none of the pipes,
 * and its end is reported as "runtime <exit status>". The supervisor then stays, so that the sandbox (and with it
 * the extensions) outlives a runtime that died, and the extensions can be sent SHUTDOWN.
 */
const SUPERVISOR = [
  'i=0',
  'while [ "$1" != "--" ]; do ( "$1" >&3 2>&3 3>&- 4>&- </dev/null; echo "$i $?" >&4 ) </dev/null & i=$((i+1)); shift; done',
  'shift',
  'exec 3>&-',
  'read -r _go || exit 0',
  '"$@" </dev/null 4>&- &',
  'wait $!',
  'echo "runtime $?" >&4',
  'exec sleep infinity 4>&-',
].join('\n');

const SIGNALS = new Map<number, NodeJS.Signals>(Object.entries(osConstants.signals).map(([name, num]) => [num, name as NodeJS.Signals]));

export class ExtensionHost implements ExtensionsApiHost {
  readonly api = new ExtensionsApi(this);
  readonly telemetry = new TelemetryHub();
  /** The executables of /opt/extensions, in the order Lambda starts them (alphabetical). */
  readonly externalNames: readonly string[];
  failure: ExtensionFailure | undefined;
  private phase: 'init' | 'ready' | 'shutdown' = 'init';
  private readonly exited = new Set<string>();
  private control: SandboxControl | undefined;
  private released = false;
  private shutdownCheck: (() => void) | undefined;
  private onRuntimeExit: RuntimeExitListener | undefined;
  private closed = false;

  constructor(private readonly options: ExtensionHostOptions) {
    this.externalNames = discover(options.optHostDir);
  }

  get seenOptDir(): string {
    return this.options.seenOptDir;
  }

  get hasExternal(): boolean {
    return this.externalNames.length > 0;
  }

  /** The runtime's launch, wrapped in the supervisor that starts the extensions first. */
  wrap(launch: { command: string; args: readonly string[] }): { command: string; args: string[] } {
    const paths = this.externalNames.map((name) => `${this.options.seenOptDir}/extensions/${name}`);
    return { command: '/bin/sh', args: ['-c', SUPERVISOR, 'nimbus-extensions', ...paths, '--', launch.command, ...launch.args] };
  }

  /** Reads the extensions' output and exits, and the runtime's exit, from the launched sandbox. */
  attach(control: SandboxControl, onRuntimeExit: RuntimeExitListener): void {
    this.control = control;
    this.onRuntimeExit = onRuntimeExit;
    control.extensionOutput.pipe(new LineSplitter((line) => this.options.onLogLine(line)));
    control.extensionExits.pipe(new LineSplitter((line) => this.onExit(line)));
    control.input.on('error', () => undefined);
  }

  // ── what the environment asks ─────────────────────────────────────────────────────────────────────────────

  /** Every extension has registered and then asked for its first event (or one failed: see `failure`). */
  initDone(): boolean {
    const all = this.api.extensions;
    return this.externalNames.every((name) => all.some((e) => e.name === name)) && all.every((e) => e.state !== 'Registered');
  }

  /** Init is over: registration closes, and telemetry subscribers see only what happens from now on. */
  endInit(): void {
    this.phase = 'ready';
    for (const ext of this.api.extensions) {
      this.telemetry.emit('platform', 'platform.extension', { name: ext.name, state: 'Ready', events: [...ext.events] });
    }
    this.telemetry.endBacklog();
  }

  /** The INVOKE event to every extension that registered for it; false when none did (nothing to wait for). */
  beginInvoke(input: InvokeInput, deadlineMs: number): boolean {
    const event = {
      eventType: 'INVOKE', deadlineMs, requestId: input.requestId, invokedFunctionArn: input.invokedFunctionArn,
      ...(input.traceId ? { tracing: { type: 'X-Amzn-Trace-Id', value: input.traceId } } : {}),
    };
    let any = false;
    for (const ext of this.receivers('INVOKE')) {
      this.api.deliver(ext, 'INVOKE', event);
      any = true;
    }
    return any;
  }

  /** Every INVOKE-registered extension has asked for its next event (or is gone). */
  invokeDone(): boolean {
    return this.receivers('INVOKE').every((e) => e.state === 'Ready');
  }

  /**
   * The shutdown phase: SHUTDOWN (with its reason and deadline) to every extension that registered for it, then
   * wait until each has asked for its next event or exited, at most until the deadline. Telemetry still buffered
   * is sent first.
   */
  async shutdown(reason: 'spindown' | 'timeout' | 'failure'): Promise<void> {
    this.phase = 'shutdown';
    const receivers = this.receivers('SHUTDOWN');
    if (receivers.length === 0 && !this.telemetry.active) return this.close();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_EXTERNAL_MS)));
    const flushed = this.telemetry.flush();
    // Field order as RIE renders it (model.AgentShutdownEvent embeds eventType and deadlineMs first).
    const event = { eventType: 'SHUTDOWN', deadlineMs: Date.now() + SHUTDOWN_EXTERNAL_MS, shutdownReason: reason };
    const done = new Promise<void>((resolve) => {
      this.shutdownCheck = () => {
        if (receivers.every((e) => this.exited.has(e.name) || (e.current !== 'SHUTDOWN' && e.pending === undefined))) resolve();
      };
    });
    for (const ext of receivers) this.api.deliver(ext, 'SHUTDOWN', event);
    this.shutdownCheck?.();
    await Promise.race([Promise.all([done, flushed]), deadline]);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    this.closed = true;
    this.shutdownCheck = undefined;
    this.onRuntimeExit = undefined;
    this.telemetry.close();
    this.api.close();
  }

  // ── ExtensionsApiHost ─────────────────────────────────────────────────────────────────────────────────────

  registrationOpen(): boolean {
    return this.phase === 'init';
  }

  isExternal(name: string): boolean {
    return this.externalNames.includes(name);
  }

  metadata(): { functionName: string; functionVersion: string; handler: string; accountId: string } {
    return this.options.metadata;
  }

  registered(): void {
    // The runtime starts once every external extension has registered (Lambda's "Extension init" sub-phase).
    if (!this.released && this.externalNames.every((name) => this.api.extensions.some((e) => e.name === name))) {
      this.released = true;
      this.control?.input.write('go\n');
    }
    this.options.onChange();
  }

  ready(_ext: Extension, finished: ExtensionEventName | 'INIT'): void {
    if (finished === 'SHUTDOWN') this.shutdownCheck?.();
    this.options.onChange();
  }

  failed(ext: Extension, kind: 'init' | 'exit', errorType: string): void {
    if (this.phase !== 'shutdown') {
      this.failure ??= kind === 'init'
        ? { errorType: 'Extension.InitError', message: `Extension ${ext.name} reported an init error (${errorType})` }
        : { errorType: 'Extension.ExitError', message: `Extension ${ext.name} reported an exit error (${errorType})` };
    }
    this.shutdownCheck?.();
    this.options.onChange();
  }

  subscribe(ext: Extension, body: Buffer, api: 'telemetry' | 'logs'): SubscribeAnswer {
    if (api === 'logs') return this.telemetry.subscribe(ext.name, asLogsSubscription(body));
    return this.telemetry.subscribe(ext.name, body);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────

  /** Extensions registered for `event` that can still receive it. */
  private receivers(event: ExtensionEventName): Extension[] {
    return this.api.extensions.filter((e) => e.events.has(event) && !this.exited.has(e.name) && e.state !== 'InitError' && e.state !== 'ExitError');
  }

  /** "<index> <status>" from the supervisor: an extension process ended; "runtime <status>": the runtime did. */
  private onExit(line: string): void {
    if (this.closed) return;
    const [index, status] = line.split(' ');
    if (index === 'runtime') {
      // A shell reports death by signal N as 128+N.
      const code = Number(status);
      const signal = code > 128 ? SIGNALS.get(code - 128) : undefined;
      return this.onRuntimeExit?.(signal === undefined ? code : null, signal ?? null);
    }
    const name = this.externalNames[Number(index)];
    if (name === undefined) return;
    this.exited.add(name);
    const ext = this.api.extensions.find((e) => e.name === name);
    if (this.phase !== 'shutdown' && this.failure === undefined) {
      const detail = status === '0' ? 'exit code 0' : `exit status ${status ?? ''}`;
      const errorType = ext?.state === 'InitError' ? 'Extension.InitError' : ext?.state === 'ExitError' ? 'Extension.ExitError' : 'Extension.Crash';
      this.failure = { errorType, message: detail };
    }
    this.shutdownCheck?.();
    this.options.onChange();
  }
}

/** The executables directly in <opt>/extensions, sorted; none when the function has no layers. */
function discover(optHostDir: string | undefined): string[] {
  if (optHostDir === undefined) return [];
  const dir = join(optHostDir, 'extensions');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.sort().filter((name) => {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

/** The Logs API's subscription body (its own optional schemaVersion, e.g. 2021-03-18) as a Telemetry API one. */
function asLogsSubscription(body: Buffer): Buffer {
  try {
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    return Buffer.from(JSON.stringify({ ...input, schemaVersion: '2022-07-01' }));
  } catch {
    return body;
  }
}

/** An extension's failure as the invocation's error (Extension.InitError, Extension.Crash, Extension.ExitError). */
export function failureAsError(requestId: string, failure: ExtensionFailure): { errorType: string; payload: Buffer } {
  const payload = Buffer.from(JSON.stringify({ errorType: failure.errorType, errorMessage: `RequestId: ${requestId} Error: ${failure.message}` }));
  return { errorType: failure.errorType, payload };
}
