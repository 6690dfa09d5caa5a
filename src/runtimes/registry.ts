// Runtime id → how to launch it: which runtime client to mount at LAMBDA_RUNTIME_DIR, and the command,
// arguments and runtime-specific environment variables, expressed in the paths the runtime sees (Lambda's
// /var/task, /var/runtime, /var/lang/bin/node inside a sandbox; host paths without one). The Lambda-wide
// variables (function name, memory, log stream…) are added by the engine.
import { fileURLToPath } from 'node:url';
import { EXEC_WRAPPER_VARIABLE, withExecWrapper } from './exec-wrapper.js';
import { resolvePython } from './python-host.js';

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
  /** The layers: /opt (a host directory when there is no sandbox to show it at /opt). */
  readonly optDir: string;
  /** Custom runtimes: the bootstrap to run, the package's or else a layer's (default: the package's). */
  readonly bootstrap?: string;
}

/** Where Lambda's layer directory is; runtimes told another one (no sandbox) also get it in _NIMBUS_OPT_DIR. */
const LAMBDA_OPT_DIR = '/opt';

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
  /** `userEnv` is the function's environment: managed runtimes honour AWS_LAMBDA_EXEC_WRAPPER from it. */
  launch(paths: RuntimePaths, userEnv?: Readonly<Record<string, string>>): RuntimeLaunch;
  /** Set when this host cannot run the runtime (e.g. no Python 3): the reason, for the caller's error. */
  readonly unavailable?: string;
}

const nodeClientDir = fileURLToPath(new URL('./node/', import.meta.url));

function nodeRuntime(major: number): RuntimeDefinition {
  return {
    clientDir: nodeClientDir,
    versionLabel: `nodejs:${major}.v1`,
    envStyle: 'managed',
    launch: (paths, userEnv) => withExecWrapper({
      command: paths.nodePath,
      args: [`${paths.runtimeDir}/bootstrap.js`],
      env: {
        NODE_PATH: [`${paths.optDir}/nodejs/node${major}/node_modules`, `${paths.optDir}/nodejs/node_modules`, `${paths.runtimeDir}/node_modules`, paths.runtimeDir, paths.taskRoot].join(':'),
      },
    }, userEnv?.[EXEC_WRAPPER_VARIABLE]),
  };
}

// Python sources are used in place (the build does not copy them): <repo>/src/runtimes/python. setup.sh
// byte-compiles them, since /var/runtime is read-only inside the sandbox.
const pythonClientDir = fileURLToPath(new URL('../../../src/runtimes/python/', import.meta.url));

/** python3.X on the host's Python: the same minor version when installed, else the host's python3. */
function pythonRuntime(minor: string): RuntimeDefinition {
  const interpreter = resolvePython(minor);
  return {
    clientDir: pythonClientDir,
    versionLabel: `python:${minor}.v1`,
    envStyle: 'managed',
    launch: (paths, userEnv) => withExecWrapper({
      command: interpreter?.path ?? '/usr/bin/python3',
      // -u: unbuffered stdio, so each print reaches the log with its invocation; -S: no `site` at start-up
      // (~7 ms); the client adds the site-packages directories itself. See bootstrap.py.
      args: ['-u', '-S', `${paths.runtimeDir}/bootstrap.py`],
      // PYTHONPATH is left to the client: set at launch it would switch off the /opt layer paths, as a
      // user's own value does on Lambda. The client sets it to LAMBDA_RUNTIME_DIR, as AWS shows it.
      // Without a sandbox the layers are not at /opt: the client reads their host directory from _NIMBUS_OPT_DIR.
      env: { LC_CTYPE: 'C.UTF-8', ...(paths.optDir === LAMBDA_OPT_DIR ? {} : { _NIMBUS_OPT_DIR: paths.optDir }) },
    }, userEnv?.[EXEC_WRAPPER_VARIABLE]),
    ...(interpreter === undefined ? { unavailable: `this host has no Python 3 interpreter under /usr for python${minor} (apt-get install python3)` } : {}),
  };
}

/** provided, provided.al2, provided.al2023: the package's own `bootstrap` is the runtime. */
function customRuntime(label: string, envStyle: 'custom' | 'custom-al2'): RuntimeDefinition {
  return {
    clientDir: undefined,
    versionLabel: label,
    envStyle,
    launch: (paths) => ({ command: paths.bootstrap ?? `${paths.taskRoot}/bootstrap`, args: [], env: {} }),
  };
}

const definitions: Readonly<Record<string, RuntimeDefinition | (() => RuntimeDefinition)>> = {
  'nodejs18.x': nodeRuntime(18),
  'nodejs20.x': nodeRuntime(20),
  'nodejs22.x': nodeRuntime(22),
  // Resolved on first use: looking for interpreters is host I/O.
  'python3.9': () => pythonRuntime('3.9'),
  'python3.10': () => pythonRuntime('3.10'),
  'python3.11': () => pythonRuntime('3.11'),
  'python3.12': () => pythonRuntime('3.12'),
  'python3.13': () => pythonRuntime('3.13'),
  provided: customRuntime('provided:1.v1', 'custom-al2'),
  'provided.al2': customRuntime('provided:al2.v1', 'custom-al2'),
  'provided.al2023': customRuntime('provided:al2023.v1', 'custom'),
};

/** How to start `runtime`, or undefined when this build cannot run it. */
export function runtimeDefinition(runtime: string): RuntimeDefinition | undefined {
  const entry = definitions[runtime];
  if (typeof entry !== 'function') return entry;
  let resolved = resolvedLazily.get(runtime);
  if (resolved === undefined) resolvedLazily.set(runtime, (resolved = entry()));
  return resolved;
}

const resolvedLazily = new Map<string, RuntimeDefinition>();
