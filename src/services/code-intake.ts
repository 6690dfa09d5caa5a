// Accepts a deployment package: size limits, then safe extraction into the content-addressed code store,
// mapping every refusal to the AWS error a user would get for it.
import type { CodeRef } from '../model/function.js';
import { invalidParameter, messages, requestTooLarge } from '../model/index.js';
import { type CodeStore, ZipRejected } from '../store/index.js';

export const ZIPPED_LIMIT_BYTES = 52_428_800;
export const UNZIPPED_LIMIT_BYTES = 262_144_000;

export async function intakeZip(store: CodeStore, zip: Buffer): Promise<CodeRef> {
  if (zip.length > ZIPPED_LIMIT_BYTES) throw requestTooLarge(messages.zippedTooLarge(ZIPPED_LIMIT_BYTES));
  if (isEmptyZip(zip)) throw invalidParameter(messages.emptyZip);
  try {
    const stored = await store.put(zip);
    return { sha256Hex: stored.sha256Hex, sha256Base64: stored.sha256Base64, size: stored.size };
  } catch (err) {
    if (err instanceof ZipRejected) {
      if (err.kind === 'unzipped-too-large') throw invalidParameter(messages.unzippedTooLarge(UNZIPPED_LIMIT_BYTES));
      throw invalidParameter(messages.unzip);
    }
    throw err;
  }
}

/** A zip with no entries is only its 22-byte end-of-central-directory record. */
function isEmptyZip(zip: Buffer): boolean {
  return zip.length === 0 || (zip.length === 22 && zip.readUInt32LE(0) === 0x06054b50);
}
