// AWS wire request bodies of the layer operations → typed service inputs (see wire-input.ts for the rules).
import { invalidParameter, type PermissionInput, validationError } from '../model/index.js';
import type { PublishLayerRequest } from '../services/index.js';
import { obj, str, stringList } from './wire-input.js';

type Json = Record<string, unknown>;

/** Drops the members that were not given (exactOptionalPropertyTypes: absent, not undefined). */
function defined<T extends object>(o: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function publishLayerInput(o: Json): PublishLayerRequest {
  const content = obj(o, 'Content');
  if (content === undefined) throw validationError(["Value null at 'content' failed to satisfy constraint: Member must not be null"]);
  if (str(content, 'S3Bucket') !== undefined || str(content, 'S3Key') !== undefined) {
    throw invalidParameter('Nimbus accepts layer content as Content.ZipFile only (no S3 yet).');
  }
  const zipB64 = str(content, 'ZipFile');
  return defined<PublishLayerRequest>({
    zip: zipB64 === undefined ? undefined : Buffer.from(zipB64, 'base64'),
    description: str(o, 'Description'),
    compatibleRuntimes: stringList(o, 'CompatibleRuntimes'),
    compatibleArchitectures: stringList(o, 'CompatibleArchitectures'),
    licenseInfo: str(o, 'LicenseInfo'),
  });
}

export function layerPermissionInput(o: Json): PermissionInput {
  return defined<PermissionInput>({
    statementId: str(o, 'StatementId'),
    action: str(o, 'Action'),
    principal: str(o, 'Principal'),
    organizationId: str(o, 'OrganizationId'),
  });
}
