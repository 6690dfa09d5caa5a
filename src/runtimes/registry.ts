// Runtime id → how to launch it: which runtime client to mount at LAMBDA_RUNTIME_DIR, and the command,
// arguments and runtime-specific environment variables, expressed in the paths the runtime sees (Lambda's
// /var/task, /var/runtime, /var/lang/bin/node inside a sandbox; host paths without one). The Lambda-wide
// variables (function name, memory, log stream…) are added by the engine.
import { fileURLToPath } from 'node:url';

export interface RuntimeLaunch {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/** Where the runtime finds things, as it sees them. */
export interface RuntimePaths {
  readonly taskRoot: string;
  /** LAMBDA_RUNTIME_DIR. */
  readonly runtimeDir: string;
  readonly nodePath: string;
}

export interface RuntimeHost {
  /** Node binary used for nodejs* runtimes. */
  readonly nodePath: string;
}

export interface RuntimeDefinition {
  /** Host directory of this runtime's client, mounted at LAMBDA_RUNTIME_DIR; undefined for custom runtimes. */
  readonly clientDir: string | undefined;
  /** `INIT_START Runtime Version:` label, e.g. `nodejs:20.v1`. */
  readonly versionLabel: string;
  /**
   * Which base environment Lambda gives it (recorded AWS introspection): managed runtimes get AWS_EXECUTION_ENV
   * and, started from a shell script, PWD and SHLVL; custom runtimes get neither, and provided.al2 and older
   * not /var/lang on PATH and LD_LIBRARY_PATH either.
   */
  readonly envStyle: 'managed' | 'custom' | 'custom-al2';
  launch(paths: RuntimePaths): RuntimeLaunch;
}

const nodeClientDir = fileURLToPath(new URL('./node/', import.meta.url));

function nodeRuntime(major: number): RuntimeDefinition {
  return {
    clientDir: nodeClientDir,
    versionLabel: `nodejs:${major}.v1`,
    envStyle: 'managed',
    launch: (paths) => ({
      command: paths.nodePath,
      args: [`${paths.runtimeDir}/bootstrap.js`],
      env: {
        NODE_PATH: [`/opt/nodejs/node${major}/node_modules`, '/opt/nodejs/node_modules', `${paths.runtimeDir}/node_modules`, paths.runtimeDir, paths.taskRoot].join(':'),
      },
    }),
  };
}

/** provided, provided.al2, provided.al2023: the package's own `bootstrap` is the runtime. */
function customRuntime(label: string, envStyle: 'custom' | 'custom-al2'): RuntimeDefinition {
  return {
    clientDir: undefined,
    versionLabel: label,
    envStyle,
    launch: (paths) => ({ command: `${paths.taskRoot}/bootstrap`, args: [], env: {} }),
  };
}

const definitions: Readonly<Record<string, RuntimeDefinition>> = {
  'nodejs18.x': nodeRuntime(18),
  'nodejs20.x': nodeRuntime(20),
  'nodejs22.x': nodeRuntime(22),
  provided: customRuntime('provided:1.v1', 'custom-al2'),
  'provided.al2': customRuntime('provided:al2.v1', 'custom-al2'),
  'provided.al2023': customRuntime('provided:al2023.v1', 'custom'),
};

/** How to start `runtime`, or undefined when this build cannot run it. */
export function runtimeDefinition(runtime: string): RuntimeDefinition | undefined {
  return definitions[runtime];
}
