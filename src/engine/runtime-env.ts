// The process environment an execution environment's runtime sees, as Lambda sets it
// (spec/lambda-wire.md b.2, checked against the recorded AWS introspection). Reserved variables always win
// over the user's; the rest (PATH, LANG, TZ, LD_LIBRARY_PATH, NODE_PATH, AWS_XRAY_*) the user may override,
// as AWS documents. Nothing of the server's own environment is passed on.
import type { RuntimeDefinition, RuntimeLaunch, RuntimePaths } from '../runtimes/index.js';
import type { EnvironmentSpec } from './environment-spec.js';

const PLACEHOLDER_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'ASIANIMBUSLOCAL00000',
  AWS_SECRET_ACCESS_KEY: 'nimbus-local-placeholder-secret-access-key',
  AWS_SESSION_TOKEN: 'nimbus-local-placeholder-session-token',
} as const;

export function buildRuntimeEnv(
  spec: EnvironmentSpec,
  runtime: RuntimeDefinition,
  launch: RuntimeLaunch,
  paths: RuntimePaths,
  runtimeApi: string,
  logStream: string,
  initializationType: 'on-demand' | 'provisioned-concurrency',
): Record<string, string> {
  const { taskRoot, runtimeDir } = paths;
  const defaults = defaultEnv(runtime, launch, paths);
  const reserved: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    // Lambda passes the execution role's credentials. Nimbus has no roles yet: placeholders, so that SDKs in the
    // function find credentials at once (and can sign requests to local endpoints) instead of probing EC2 metadata.
    ...PLACEHOLDER_CREDENTIALS,
  };
  if (runtime.envStyle === 'managed') {
    reserved['AWS_EXECUTION_ENV'] = `AWS_Lambda_${spec.runtime}`;
    reserved['PWD'] = taskRoot;
    reserved['SHLVL'] = '0';
  }
  if (spec.logFormat === 'JSON') {
    reserved['AWS_LAMBDA_LOG_FORMAT'] = 'JSON';
    reserved['AWS_LAMBDA_LOG_LEVEL'] = spec.applicationLogLevel ?? 'INFO';
  }
  return { ...defaults, ...spec.userEnv, ...reserved };
}

/** What the user may override: the same for every function of a runtime (in a sandbox, whose paths are fixed). */
function defaultEnv(runtime: RuntimeDefinition, launch: RuntimeLaunch, paths: RuntimePaths): Record<string, string> {
  const lang = runtime.envStyle === 'custom-al2' ? { path: '', lib: '' } : { path: '/var/lang/bin:', lib: '/var/lang/lib:' };
  const xray = runtime.envStyle === 'custom-al2' ? '169.254.79.129' : '169.254.100.1';
  const { taskRoot, runtimeDir, optDir } = paths;
  return {
    PATH: `${lang.path}/usr/local/bin:/usr/bin/:/bin:${optDir}/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LD_LIBRARY_PATH: `${lang.lib}/lib64:/usr/lib64:${runtimeDir}:${runtimeDir}/lib:${taskRoot}:${taskRoot}/lib:${optDir}/lib`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: `${xray}:2000`,
    _AWS_XRAY_DAEMON_ADDRESS: xray,
    _AWS_XRAY_DAEMON_PORT: '2000',
    ...launch.env,
  };
}

/**
 * Set in the environment of a pre-started runtime (engine/runtime-slots.ts): the runtime client waits for its
 * function's environment on stdin (one JSON line) before it loads anything of the function.
 */
export const SLOT_VARIABLE = '_NIMBUS_SLOT';

/** What a pre-started runtime starts with: the defaults every function of its runtime shares, and its Runtime API. */
export function slotRuntimeEnv(runtime: RuntimeDefinition, launch: RuntimeLaunch, paths: RuntimePaths, runtimeApi: string): Record<string, string> {
  return { ...defaultEnv(runtime, launch, paths), AWS_LAMBDA_RUNTIME_API: runtimeApi, [SLOT_VARIABLE]: '1' };
}

/**
 * Variables a process reads only as it starts (the dynamic linker, the interpreter, locale and time zone set-up,
 * the exec wrapper): a function that sets one cannot take over a runtime that started without it.
 */
export function readAtProcessStart(name: string): boolean {
  return /^(?:LD_|NODE_|UV_|PYTHON|LC_|MALLOC_|GLIBC_)/.test(name) || ['LANG', 'LANGUAGE', 'TZ', 'AWS_LAMBDA_EXEC_WRAPPER'].includes(name);
}
