// Public face of observe/: platform logger, function log store, Lambda's log line formats.
export * from './log-lines.js';
export * from './function-logs.js';
export * from './logger.js';
