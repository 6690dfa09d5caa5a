// Public face of shared/: error base classes, ids, ARNs, clock. Depends on node built-ins only.
export * from './errors.js';
export * from './ids.js';
export * from './arn.js';
export * from './clock.js';
export * from './http-body.js';
export * from './process.js';
