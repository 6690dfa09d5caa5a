// Public face of engine/: the Engine, the specs it runs and the ports it needs.
export { Engine, type EngineOptions } from './engine.js';
export { RuntimeSlots, type RuntimeSlotOptions } from './runtime-slots.js';
export type { EnvironmentSpec, InvokeInput, LogSink } from './environment-spec.js';
export type { EnvironmentDeps } from './execution-environment.js';
export type { ProvisionedState } from './version-pool.js';
export { MAX_RESPONSE_BYTES } from './runtime-api.js';
