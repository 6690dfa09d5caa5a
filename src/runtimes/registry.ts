// Runtime id → how to launch it: command, arguments and the runtime-specific environment variables.
// The Lambda-wide variables (function name, memory, log stream…) are added by the engine.
import { fileURLToPath } from 'node:url';

export interface RuntimeLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Directory of the runtime client (`LAMBDA_RUNTIME_DIR`). */
  readonly runtimeDir: string;
  /** `INIT_START Runtime Version:` label, e.g. `nodejs:20.v1`. */
  readonly versionLabel: string;
}

export interface RuntimeHost {
  /** Node binary used for nodejs* runtimes. */
  readonly nodePath: string;
}

const nodeClientDir = fileURLToPath(new URL('./node/', import.meta.url));

function nodeRuntime(major: number, host: RuntimeHost, taskRoot: string): RuntimeLaunch {
  return {
    command: host.nodePath,
    args: [`${nodeClientDir}bootstrap.js`],
    runtimeDir: nodeClientDir,
    versionLabel: `nodejs:${major}.v1`,
    env: {
      NODE_PATH: [`/opt/nodejs/node${major}/node_modules`, '/opt/nodejs/node_modules', `${nodeClientDir}node_modules`, nodeClientDir, taskRoot].join(':'),
    },
  };
}

const launchers: Readonly<Record<string, (host: RuntimeHost, taskRoot: string) => RuntimeLaunch>> = {
  'nodejs18.x': (host, root) => nodeRuntime(18, host, root),
  'nodejs20.x': (host, root) => nodeRuntime(20, host, root),
  'nodejs22.x': (host, root) => nodeRuntime(22, host, root),
};

/** How to start `runtime`, or undefined when this build cannot run it. */
export function runtimeLaunch(runtime: string, host: RuntimeHost, taskRoot: string): RuntimeLaunch | undefined {
  return launchers[runtime]?.(host, taskRoot);
}
