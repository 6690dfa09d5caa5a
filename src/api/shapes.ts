// Domain → AWS wire shapes (PascalCase), in one place (STYLE.md). Field presence rules follow the recorded
// AWS responses: optional members are omitted, never null.
import { type AliasRecord, type FunctionRecord, versionOf } from '../model/index.js';
import type { AccountSettings } from '../services/index.js';
import { functionArn, runtimeVersionArn } from '../shared/arn.js';
import { awsTimestamp } from '../shared/clock.js';

/**
 * A function's configuration ($LATEST or a published version). `qualifier` goes into FunctionArn as the caller
 * named it (a version, an alias, `$LATEST`); `version` overrides the Version member (CreateFunction with Publish).
 */
export function functionConfiguration(r: FunctionRecord, qualifier?: string, version: string = versionOf(r)): Record<string, unknown> {
  const s = r.settings;
  const st = r.status;
  const logging: Record<string, string> = { LogFormat: s.loggingConfig.logFormat, LogGroup: s.loggingConfig.logGroup };
  if (s.loggingConfig.applicationLogLevel !== undefined) logging['ApplicationLogLevel'] = s.loggingConfig.applicationLogLevel;
  if (s.loggingConfig.systemLogLevel !== undefined) logging['SystemLogLevel'] = s.loggingConfig.systemLogLevel;
  return {
    FunctionName: r.name,
    FunctionArn: functionArn(r.region, r.accountId, r.name, qualifier),
    Runtime: s.runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: r.code.size,
    Description: s.description,
    Timeout: s.timeoutSec,
    MemorySize: s.memoryMb,
    LastModified: awsTimestamp(r.lastModified),
    CodeSha256: r.code.sha256Base64,
    Version: version,
    ...(s.environment === null ? {} : { Environment: { Variables: { ...s.environment } } }),
    ...(s.layers === undefined ? {} : { Layers: s.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) }),
    ...(s.deadLetterTargetArn === undefined ? {} : { DeadLetterConfig: { TargetArn: s.deadLetterTargetArn } }),
    TracingConfig: { Mode: s.tracingMode },
    RevisionId: r.revisionId,
    State: st.state,
    ...(st.stateReason === undefined ? {} : { StateReason: st.stateReason }),
    ...(st.stateReasonCode === undefined ? {} : { StateReasonCode: st.stateReasonCode }),
    ...(st.lastUpdateStatus === undefined ? {} : { LastUpdateStatus: st.lastUpdateStatus }),
    ...(st.lastUpdateStatusReason === undefined ? {} : { LastUpdateStatusReason: st.lastUpdateStatusReason }),
    ...(st.lastUpdateStatusReasonCode === undefined ? {} : { LastUpdateStatusReasonCode: st.lastUpdateStatusReasonCode }),
    PackageType: 'Zip',
    Architectures: [...s.architectures],
    EphemeralStorage: { Size: s.ephemeralStorageMb },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: runtimeVersionArn(r.region, r.runtimeVersionHash) },
    LoggingConfig: logging,
  };
}

/** ListFunctions entries: AWS leaves out state, update status and runtime version there. */
export function listEntry(r: FunctionRecord, qualifier?: string): Record<string, unknown> {
  const full = functionConfiguration(r, qualifier);
  for (const key of ['State', 'StateReason', 'StateReasonCode', 'LastUpdateStatus', 'LastUpdateStatusReason', 'LastUpdateStatusReasonCode', 'RuntimeVersionConfig']) {
    delete full[key];
  }
  return full;
}

/**
 * GetFunction: the configuration the qualifier names, with the function's tags and reserved concurrency
 * (both belong to the function, not to a version).
 */
export function getFunctionResponse(r: FunctionRecord, codeUrl: string, qualifier: string | undefined, fn: FunctionRecord): Record<string, unknown> {
  return {
    Configuration: functionConfiguration(r, qualifier),
    Code: { RepositoryType: 'S3', Location: codeUrl },
    ...(Object.keys(fn.tags).length === 0 ? {} : { Tags: { ...fn.tags } }),
    ...(fn.reservedConcurrency === undefined ? {} : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
  };
}

export function aliasConfiguration(a: AliasRecord): Record<string, unknown> {
  const weights = a.routingConfig?.additionalVersionWeights ?? {};
  return {
    AliasArn: functionArn(a.region, a.accountId, a.functionName, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    ...(Object.keys(weights).length === 0 ? {} : { RoutingConfig: { AdditionalVersionWeights: { ...weights } } }),
    RevisionId: a.revisionId,
  };
}

export function accountSettings(a: AccountSettings): Record<string, unknown> {
  return {
    AccountLimit: {
      TotalCodeSize: a.totalCodeSizeLimit,
      CodeSizeUnzipped: a.codeSizeUnzipped,
      CodeSizeZipped: a.codeSizeZipped,
      ConcurrentExecutions: a.concurrentExecutions,
      UnreservedConcurrentExecutions: a.unreservedConcurrentExecutions,
    },
    AccountUsage: { TotalCodeSize: a.totalCodeSize, FunctionCount: a.functionCount },
  };
}
