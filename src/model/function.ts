// Domain types of a function and its configuration (camelCase; the API edge converts to AWS wire shapes).
import type { FunctionLayer } from './layer.js';

export type Architecture = 'x86_64' | 'arm64';
export type LogFormat = 'Text' | 'JSON';
export type FunctionState = 'Pending' | 'Active' | 'Failed' | 'Inactive';
export type LastUpdateStatus = 'InProgress' | 'Successful' | 'Failed';

export interface LoggingConfig {
  readonly logFormat: LogFormat;
  readonly logGroup: string;
  readonly applicationLogLevel?: string;
  readonly systemLogLevel?: string;
}

export interface CodeRef {
  readonly sha256Hex: string;
  /** What AWS calls CodeSha256: base64 of the SHA-256 of the zip. */
  readonly sha256Base64: string;
  readonly size: number;
}

/** The settings of a function that a user can change (CreateFunction / UpdateFunctionConfiguration). */
export interface FunctionSettings {
  readonly runtime: string;
  readonly handler: string;
  readonly role: string;
  readonly description: string;
  readonly timeoutSec: number;
  readonly memoryMb: number;
  readonly ephemeralStorageMb: number;
  /** null when the user never set Environment (AWS omits it then); `{}` when set empty. */
  readonly environment: Readonly<Record<string, string>> | null;
  readonly architectures: readonly Architecture[];
  readonly loggingConfig: LoggingConfig;
  readonly tracingMode: 'PassThrough' | 'Active';
  /** Layers in the order they are extracted to /opt (later ones win); absent when the function has none. */
  readonly layers?: readonly FunctionLayer[];
  /** DeadLetterConfig.TargetArn: an SQS queue or SNS topic for events that failed (absent: none). */
  readonly deadLetterTargetArn?: string;
}

export interface FunctionStatus {
  readonly state: FunctionState;
  readonly stateReason?: string;
  readonly stateReasonCode?: string;
  readonly lastUpdateStatus?: LastUpdateStatus;
  readonly lastUpdateStatusReason?: string;
  readonly lastUpdateStatusReasonCode?: string;
}

/** A function as stored: identity, settings, code, status. Immutable; updates produce a new record. */
export interface FunctionRecord {
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly settings: FunctionSettings;
  readonly code: CodeRef;
  readonly status: FunctionStatus;
  readonly revisionId: string;
  /** Epoch ms of the last create/update (AWS `LastModified`). */
  readonly lastModified: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Identifies the runtime build (AWS `RuntimeVersionConfig.RuntimeVersionArn` suffix, 64 hex). */
  readonly runtimeVersionHash: string;
  /** The highest version number ever published ($LATEST only): numbers are never reused, even after a delete. */
  readonly lastPublishedVersion?: number;
  /** PutFunctionConcurrency ($LATEST only; applies to the whole function). Absent: the unreserved pool. */
  readonly reservedConcurrency?: number;
}

export const LATEST = '$LATEST';

/**
 * A published version: an immutable copy of $LATEST's code and settings with its own number, status and
 * RevisionId (tags stay on the function). Only its status changes, once, from Pending to Active.
 */
export interface VersionRecord extends FunctionRecord {
  /** "1", "2", ... */
  readonly version: string;
  /** $LATEST's code and settings when it was published: PublishVersion is idempotent on this. */
  readonly sourceFingerprint: string;
}

export interface RoutingConfig {
  /** Version → weight (0–1): the share of invocations that go to that version instead of the alias's own. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

/** An alias: a named pointer to a version, optionally splitting traffic with a second version. */
export interface AliasRecord {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  readonly name: string;
  readonly functionVersion: string;
  readonly description: string;
  readonly routingConfig?: RoutingConfig;
  readonly revisionId: string;
}

/** "$LATEST" for the function itself, the number for a published version. */
export function versionOf(r: FunctionRecord): string {
  const v = (r as Partial<VersionRecord>).version;
  return v === undefined ? LATEST : v;
}

/** PutProvisionedConcurrencyConfig as stored: how many environments to keep initialised for a version or alias. */
export interface ProvisionedConfigRecord {
  readonly accountId: string;
  readonly region: string;
  readonly functionName: string;
  /** A version number or an alias name. */
  readonly qualifier: string;
  readonly requested: number;
  /** Epoch ms of the last Put. */
  readonly lastModified: number;
}
