// Public face of the composition root.
export { startNimbus, VERSION, type RunningNimbus } from './nimbus.js';
export { checkHost, type HostCheck, type HostCheckId, type HostCheckOptions, type HostReport } from './host-check.js';
