// Public face of the runtime registry (the bootstraps under runtimes/node etc. run inside environments and
// are never imported by server code).
export { runtimeDefinition, type RuntimeDefinition, type RuntimeLaunch, type RuntimeHost, type RuntimePaths } from './registry.js';
