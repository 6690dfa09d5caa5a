// Public face of the runtime registry (the bootstraps under runtimes/node etc. run inside environments and
// are never imported by server code).
export { runtimeLaunch, type RuntimeLaunch, type RuntimeHost } from './registry.js';
