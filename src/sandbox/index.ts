// Public face of sandbox/: launching runtime processes and killing their whole tree.
export {
  ProcessSandbox, type HostMounts, type LaunchSpec, type SandboxOptions, type SandboxPaths, type SandboxProcess, type SandboxControl, type ExitInfo, type Protections,
  type DeferredCode, type DeferredLaunchSpec, type DeferredProcess,
} from './process-sandbox.js';
export { detectBubblewrap, findOnPath } from './bubblewrap.js';
export { cgroupMounts, type CgroupMounts, NIMBUS_CGROUP_DIR, V1_PROBE_FILE, type V1Controller, V2_FREEZE_FILE, V2_KILL_FILE } from './cgroup-mounts.js';
export { enableControllers, enabledForChildren } from './cgroup2-limits.js';
