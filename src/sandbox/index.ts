// Public face of sandbox/: launching runtime processes and killing their whole tree.
export { ProcessSandbox, type LaunchSpec, type SandboxProcess, type ExitInfo, type Protections } from './process-sandbox.js';
