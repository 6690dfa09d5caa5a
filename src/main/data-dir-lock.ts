// One server per data directory: the store's caches and the code store assume a single writer. The lock is
// a file holding the owner's pid; a lock whose process is gone (a crashed server) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusError } from '../shared/errors.js';
import { isProcessAlive } from '../shared/process.js';


/** Takes the lock or throws ERR_CONFIG naming the process that holds it. Returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'nimbus.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      // The owner may be this very process (a second in-process server): that is in use too.
      if (Number.isInteger(owner) && owner > 0 && isProcessAlive(owner)) {
        throw new NimbusError('ERR_CONFIG', `data directory ${dataDir} is in use by another Nimbus server (pid ${owner}); stop it or choose another --data-dir`, { user: true });
      }
      rmSync(file, { force: true });
    }
  }
  throw new NimbusError('ERR_CONFIG', `cannot lock data directory ${dataDir}`, { user: true });
}
