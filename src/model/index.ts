// Public face of model/: domain types, AWS error catalogue and validation. No I/O.
export * from './function.js';
export * from './outcome.js';
export * from './runtimes.js';
export * from './aws-errors.js';
export * from './function-identifier.js';
export * from './settings-validation.js';
export * from './event-invoke-config.js';
export * from './layer.js';
export * from './layer-validation.js';
export * from './response-stream.js';
export * from './http-integration-response.js';
export * from './function-url.js';
export * from './resource-policy.js';
export * from './http-api.js';
