// Domain types of Lambda layers: a published layer version (immutable content, its resource-based policy) and
// a function's reference to one. AWS's wire shapes are built from these at the API edge (api/layer-shapes.ts).
import type { CodeRef } from './function.js';

/** One statement of a layer version's resource-based policy (AddLayerVersionPermission). */
export interface LayerStatement {
  readonly sid: string;
  readonly action: string;
  /** As given: `*`, a 12-digit account id or `arn:aws:iam::<account>:root`. */
  readonly principal: string;
  readonly organizationId?: string;
}

export interface LayerVersionRecord {
  readonly accountId: string;
  readonly region: string;
  readonly layerName: string;
  /** 1, 2, ...; never reused, not even after every version was deleted. */
  readonly version: number;
  readonly description: string;
  /** As given, in the given order; absent when the request did not name any (AWS omits the member then). */
  readonly compatibleRuntimes?: readonly string[];
  readonly compatibleArchitectures?: readonly string[];
  readonly licenseInfo?: string;
  readonly code: CodeRef;
  /** Epoch ms (AWS `CreatedDate`). */
  readonly createdDate: number;
  readonly statements: readonly LayerStatement[];
  /** Changes with every policy change; undefined while the version has no policy. */
  readonly policyRevisionId?: string;
}

/**
 * A layer version a function uses, as stored in its settings: enough to run it (the content's hash) and to
 * report it (ARN, size) after the layer version itself was deleted, which AWS allows.
 */
export interface FunctionLayer {
  readonly arn: string;
  readonly codeSize: number;
  readonly sha256Hex: string;
}

/** Lambda's limit on layers per function (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html). */
export const MAX_FUNCTION_LAYERS = 5;
