// Nimbus's own endpoints under /_nimbus: health (with the protections actually in force) and code download
// (GetFunction's Code.Location and GetLayerVersion's Content.Location point here).
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream';
import { resourceNotFound } from '../../model/index.js';
import type { FunctionService } from '../../services/index.js';
import { sendJson } from '../http.js';
import type { Router } from '../router.js';

/** Where a stored package (function code or layer content) downloads from: GetFunction and GetLayerVersion's Location. */
export function codeDownloadUrl(req: IncomingMessage, sha256Hex: string): string {
  return `http://${req.headers.host ?? '127.0.0.1'}/_nimbus/code/${sha256Hex}.zip`;
}

export interface HealthSource {
  health(): Record<string, unknown>;
}

export function registerNimbusOperations(router: Router, functions: FunctionService, health: HealthSource): void {
  router.add('GET', '/_nimbus/health', (call) => sendJson(call.res, 200, health.health()));

  router.add('GET', '/_nimbus/code/{file}', (call) => {
    const m = /^([0-9a-f]{64})\.zip$/.exec(call.params['file'] ?? '');
    const path = m?.[1] === undefined ? undefined : functions.codeZipPath(m[1]);
    const size = path === undefined ? undefined : statSync(path, { throwIfNoEntry: false })?.size;
    if (path === undefined || size === undefined) throw resourceNotFound('The code package does not exist.');
    call.res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': size });
    // pipeline closes the file when the client goes away mid-download (pipe() would leak the descriptor).
    pipeline(createReadStream(path), call.res, () => undefined);
  });
}
