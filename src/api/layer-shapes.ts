// Layer domain → AWS wire shapes (PascalCase), kept beside shapes.ts. Members AWS omits when they were never
// given (CompatibleRuntimes, CompatibleArchitectures, LicenseInfo) are omitted here too, as recorded.
import type { LayerStatement, LayerVersionRecord } from '../model/index.js';
import { layerArn, PARTITION } from '../shared/arn.js';
import { awsTimestamp } from '../shared/clock.js';

const versionArn = (r: LayerVersionRecord): string => layerArn(r.region, r.accountId, r.layerName, r.version);

/** LayerVersionsListItem: ListLayerVersions entries and ListLayers' LatestMatchingVersion. */
export function layerVersionsListItem(r: LayerVersionRecord): Record<string, unknown> {
  return {
    LayerVersionArn: versionArn(r),
    Version: r.version,
    Description: r.description,
    CreatedDate: awsTimestamp(r.createdDate),
    ...(r.compatibleRuntimes === undefined ? {} : { CompatibleRuntimes: [...r.compatibleRuntimes] }),
    ...(r.licenseInfo === undefined ? {} : { LicenseInfo: r.licenseInfo }),
    ...(r.compatibleArchitectures === undefined ? {} : { CompatibleArchitectures: [...r.compatibleArchitectures] }),
  };
}

/** PublishLayerVersion, GetLayerVersion and GetLayerVersionByArn. */
export function layerVersionResponse(r: LayerVersionRecord, contentUrl: string): Record<string, unknown> {
  return {
    Content: { Location: contentUrl, CodeSha256: r.code.sha256Base64, CodeSize: r.code.size },
    LayerArn: layerArn(r.region, r.accountId, r.layerName),
    ...layerVersionsListItem(r),
  };
}

export function layersListItem(r: LayerVersionRecord): Record<string, unknown> {
  return { LayerName: r.layerName, LayerArn: layerArn(r.region, r.accountId, r.layerName), LatestMatchingVersion: layerVersionsListItem(r) };
}

/** One policy statement as AWS renders it: an account becomes its root principal, an organization a condition. */
export function layerStatement(s: LayerStatement, r: LayerVersionRecord): Record<string, unknown> {
  const principal = s.principal === '*' ? '*' : { AWS: /^\d{12}$/.test(s.principal) ? `arn:${PARTITION}:iam::${s.principal}:root` : s.principal };
  return {
    Sid: s.sid,
    Effect: 'Allow',
    Principal: principal,
    Action: s.action,
    Resource: versionArn(r),
    ...(s.organizationId === undefined ? {} : { Condition: { StringEquals: { 'aws:PrincipalOrgID': s.organizationId } } }),
  };
}

/** GetLayerVersionPolicy: the policy document is a JSON string, as AWS sends it. */
export function layerPolicyResponse(r: LayerVersionRecord): Record<string, unknown> {
  const policy = { Version: '2012-10-17', Id: 'default', Statement: r.statements.map((s) => layerStatement(s, r)) };
  return { Policy: JSON.stringify(policy), RevisionId: r.policyRevisionId };
}
