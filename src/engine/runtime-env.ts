// The process environment an execution environment's runtime sees, as Lambda sets it
// (spec/lambda-wire.md b.2). Reserved variables always win over the user's; the rest (PATH, LANG, TZ,
// LD_LIBRARY_PATH, NODE_PATH, AWS_XRAY_*) the user may override, as AWS documents.
import type { RuntimeLaunch } from '../runtimes/index.js';
import type { EnvironmentSpec } from './environment-spec.js';

export function buildRuntimeEnv(
  spec: EnvironmentSpec,
  launch: RuntimeLaunch,
  runtimeApi: string,
  logStream: string,
  initializationType: 'on-demand' | 'provisioned-concurrency',
): Record<string, string> {
  const defaults: Record<string, string> = {
    PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LD_LIBRARY_PATH: `/var/lang/lib:/lib64:/usr/lib64:${launch.runtimeDir}:${launch.runtimeDir}lib:${spec.codeDir}:${spec.codeDir}/lib:/opt/lib`,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    _AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129',
    _AWS_XRAY_DAEMON_PORT: '2000',
    ...launch.env,
  };
  const reserved: Record<string, string> = {
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    _HANDLER: spec.handler,
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: launch.runtimeDir,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: initializationType,
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroup,
    AWS_LAMBDA_LOG_STREAM_NAME: logStream,
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    SHLVL: '0',
  };
  if (!spec.runtime.startsWith('provided')) reserved['AWS_EXECUTION_ENV'] = `AWS_Lambda_${spec.runtime}`;
  if (spec.logFormat === 'JSON') {
    reserved['AWS_LAMBDA_LOG_FORMAT'] = 'JSON';
    reserved['AWS_LAMBDA_LOG_LEVEL'] = spec.applicationLogLevel ?? 'INFO';
  }
  return { ...defaults, ...spec.userEnv, ...reserved };
}
