// The platform logger (structured, pino). Server code logs through child loggers carrying request id,
// function ARN or environment id; it never uses console.*.
import { pino, stdTimeFunctions, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: null, timestamp: stdTimeFunctions.isoTime }, destination ?? process.stderr);
}
