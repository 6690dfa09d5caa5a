// A stand-in for Nimbus's Runtime API, for testing runtime clients (Node, Python) on their own: it serves
// queued events on /next (parking the request until one is queued), records every POST with its headers
// and body, and can be told to fail /next. The engine's real Runtime API is tested through the server.
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedPost {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The body as UTF-8. */
  readonly text: string;
}

interface QueuedEvent {
  readonly id: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export class FakeRuntimeApi {
  readonly posts: RecordedPost[] = [];
  /** Status /next answers with; anything but 200 comes with an error body. */
  nextStatus = 200;
  nextCalls = 0;
  readonly #server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/2018-06-01/runtime/invocation/next') this.#next(res);
      else this.#record(req.url ?? '', req.headers, Buffer.concat(chunks), res);
    });
  });
  readonly #queue: QueuedEvent[] = [];
  readonly #parked: ServerResponse[] = [];
  #onPost: (() => void) | undefined;

  /** `arn` is sent as Lambda-Runtime-Invoked-Function-Arn with every event. */
  constructor(private readonly arn: string) {}

  /** Listens on 127.0.0.1:0; returns the address for AWS_LAMBDA_RUNTIME_API. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A string event is sent as the raw body, anything else as its JSON. */
  enqueue(id: string, event: unknown, headers: Record<string, string> = {}): void {
    this.#queue.push({ id, body: typeof event === 'string' ? event : JSON.stringify(event), headers });
    const parked = this.#parked.shift();
    if (parked) this.#next(parked);
  }

  async waitForPosts(count: number): Promise<RecordedPost[]> {
    while (this.posts.length < count) await new Promise<void>((resolve) => (this.#onPost = resolve));
    return this.posts;
  }

  close(): void {
    this.#server.closeAllConnections();
    this.#server.close();
  }

  #next(res: ServerResponse): void {
    this.nextCalls += 1;
    if (this.nextStatus !== 200) {
      res.writeHead(this.nextStatus, { 'Content-Type': 'application/json' }).end('{"errorType":"Sandbox.Failure"}');
      return;
    }
    const event = this.#queue.shift();
    if (!event) {
      this.#parked.push(res);
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': event.id,
      'Lambda-Runtime-Deadline-Ms': String(Date.now() + 30_000),
      'Lambda-Runtime-Invoked-Function-Arn': this.arn,
      ...event.headers,
    });
    res.end(event.body);
  }

  #record(path: string, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): void {
    this.posts.push({ path, headers, body, text: body.toString('utf8') });
    res.writeHead(202, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    this.#onPost?.();
  }
}

/** A runtime client process under test, talking to its own FakeRuntimeApi. */
export interface RuntimeClient {
  readonly api: FakeRuntimeApi;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

export interface RuntimeClientLaunch {
  readonly command: string;
  readonly args: readonly string[];
  /** The task root: the working directory and LAMBDA_TASK_ROOT. */
  readonly dir: string;
  readonly handler: string;
  /** Sent as Lambda-Runtime-Invoked-Function-Arn. */
  readonly arn: string;
  /** Added to (and overriding) the Lambda variables every client reads. */
  readonly env: Record<string, string>;
  /** Extra piped file descriptors after stdio (fd 3 onwards). */
  readonly extraFds?: number;
}

/**
 * Starts a fake Runtime API and the client against it, with the Lambda variables a client reads. `cleanups`
 * gets what kills the process and closes the API; the caller runs it after its tests.
 */
export async function startRuntimeClient(launch: RuntimeClientLaunch, cleanups: Array<() => void>): Promise<RuntimeClient> {
  const api = new FakeRuntimeApi(launch.arn);
  const address = await api.start();
  const child = spawn(launch.command, [...launch.args], {
    cwd: launch.dir,
    stdio: ['ignore', 'pipe', 'pipe', ...Array<'pipe'>(launch.extraFds ?? 0).fill('pipe')],
    env: {
      AWS_LAMBDA_RUNTIME_API: address,
      _HANDLER: launch.handler,
      LAMBDA_TASK_ROOT: launch.dir,
      AWS_LAMBDA_FUNCTION_NAME: 'fn',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn',
      AWS_LAMBDA_LOG_STREAM_NAME: '2024/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
      AWS_REGION: 'us-east-1',
      TZ: ':UTC',
      ...launch.env,
    },
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    api.close();
  });
  return { api, child, exited, stdout: () => out, stderr: () => err };
}
