/**
 * Replaces the console methods so each call becomes exactly one function-log record, in the formats of
 * aws-lambda-ric 3.x `src/LogPatch.js` (spec lambda-wire.md b.5):
 * - text: `<ISO time>\t<requestId>\t<LEVEL>\t<util.format(...)>` with every `\n` turned into `\r`;
 * - JSON (`AWS_LAMBDA_LOG_FORMAT=JSON`): `{"timestamp","level","requestId","message"}`;
 * - framed records on `_LAMBDA_TELEMETRY_LOG_FD` when the platform provides that fd.
 * `AWS_LAMBDA_LOG_LEVEL` drops lower levels. Also owns the request id shown in lines.
 */
import { writeSync } from 'node:fs';
import { format } from 'node:util';
import { intoError, toFormatted } from './errors.js';

interface Level {
  readonly name: string;
  readonly priority: number;
  readonly tlvMask: number;
}

const LEVELS = {
  TRACE: { name: 'TRACE', priority: 1, tlvMask: 0b00100 },
  DEBUG: { name: 'DEBUG', priority: 2, tlvMask: 0b01000 },
  INFO: { name: 'INFO', priority: 3, tlvMask: 0b01100 },
  WARN: { name: 'WARN', priority: 4, tlvMask: 0b10000 },
  ERROR: { name: 'ERROR', priority: 5, tlvMask: 0b10100 },
  FATAL: { name: 'FATAL', priority: 6, tlvMask: 0b11000 },
} as const satisfies Record<string, Level>;

type LevelName = keyof typeof LEVELS;
type Emit = (level: Level, message: unknown, params: unknown[]) => void;

const FRAME_TEXT = 0xa55a0003;
const FRAME_JSON = 0xa55a0002;

// Same global symbol as the RIC, so libraries that read the current request id keep working.
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
const globals = globalThis as unknown as Record<symbol, unknown>;

export function setCurrentRequestId(id: string | undefined): void {
  globals[REQUEST_ID] = id;
}

function textMessage(level: Level, time: string, message: unknown, params: unknown[]): string {
  return `${time}\t${String(globals[REQUEST_ID])}\t${level.name}\t${format(message, ...params)}`;
}

function jsonErrorReplacer(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  return Object.assign(
    {
      errorType: value.constructor?.name ?? 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    },
    value,
  );
}

function jsonMessage(level: Level, time: string, message: unknown, params: unknown[]): string {
  const record: Record<string, unknown> = { timestamp: time, level: level.name, requestId: globals[REQUEST_ID] };
  if (params.length === 0) {
    record['message'] = message;
    try {
      return JSON.stringify(record, jsonErrorReplacer);
    } catch {
      record['message'] = format(message);
      return JSON.stringify(record);
    }
  }
  const all = [message, ...params];
  record['message'] = format(...all);
  const error = all.find((p): p is Error => p instanceof Error);
  if (error) {
    record['errorType'] = error.constructor?.name ?? 'UnknownError';
    record['errorMessage'] = error.message;
    record['stackTrace'] = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

function toStdout(render: typeof textMessage): Emit {
  return (level, message, params) => {
    const line = render(level, new Date().toISOString(), message, params).replace(/\n/g, '\r');
    process.stdout.write(line + '\n');
  };
}

/** Frame: 4-byte type|level, 4-byte length, 8-byte µs timestamp, message; all big-endian. */
function toFd(fd: number, render: typeof textMessage, frameType: number, suffix: string): Emit {
  const header = Buffer.alloc(16);
  return (level, message, params) => {
    const now = new Date();
    const body = Buffer.from(render(level, now.toISOString(), message, params) + suffix, 'utf8');
    header.writeUInt32BE((frameType | level.tlvMask) >>> 0, 0);
    header.writeInt32BE(body.length, 4);
    header.writeBigInt64BE(BigInt(now.valueOf()) * 1000n, 8);
    writeSync(fd, header);
    writeSync(fd, body);
  };
}

let jsonFormat = false;

function chooseEmitter(): Emit {
  const fdVar = process.env['_LAMBDA_TELEMETRY_LOG_FD'];
  if (fdVar === undefined) return toStdout(jsonFormat ? jsonMessage : textMessage);
  delete process.env['_LAMBDA_TELEMETRY_LOG_FD'];
  const fd = parseInt(fdVar, 10);
  return jsonFormat ? toFd(fd, jsonMessage, FRAME_JSON, '') : toFd(fd, textMessage, FRAME_TEXT, '\n');
}

/** Installs the patched console; call once, before user code loads. */
export function patchConsole(): void {
  jsonFormat = process.env['AWS_LAMBDA_LOG_FORMAT']?.toUpperCase() === 'JSON';
  const emit = chooseEmitter();
  const wanted = process.env['AWS_LAMBDA_LOG_LEVEL']?.toUpperCase() ?? '';
  const threshold = Object.hasOwn(LEVELS, wanted) ? LEVELS[wanted as LevelName].priority : LEVELS.TRACE.priority;
  const method = (level: Level) =>
    level.priority >= threshold ? (message?: unknown, ...params: unknown[]) => emit(level, message, params) : () => {};

  const target = console as unknown as Record<string, unknown>;
  target['trace'] = method(LEVELS.TRACE);
  target['debug'] = method(LEVELS.DEBUG);
  target['info'] = method(LEVELS.INFO);
  target['log'] = target['info'];
  target['warn'] = method(LEVELS.WARN);
  target['error'] = method(LEVELS.ERROR);
  target['fatal'] = (message?: unknown, ...params: unknown[]) => emit(LEVELS.FATAL, message, params);
}

/** `<label> \t{...}` in text mode, the error object itself in JSON mode; goes through console.error like the RIC. */
export function logError(label: string, error: unknown): void {
  if (jsonFormat) console.error(intoError(error));
  else console.error(label, toFormatted(intoError(error)));
}

/**
 * Resolves once everything written to stdout/stderr so far has reached the pipe. The loop awaits this before
 * it posts a result, so the platform can attribute every line to the invocation that wrote it: a pipe write
 * is asynchronous in Node once the pipe is full, and lines would otherwise arrive after END/REPORT.
 */
export function stdioFlushed(): Promise<void> {
  const pending = [process.stdout, process.stderr].filter((s) => s.writableLength > 0);
  if (pending.length === 0) return Promise.resolve();
  return Promise.all(pending.map((s) => new Promise<void>((resolve) => s.write('', () => resolve())))).then(() => undefined);
}
