// Public face of the composition root.
export { startNimbus, VERSION, type RunningNimbus } from './nimbus.js';
