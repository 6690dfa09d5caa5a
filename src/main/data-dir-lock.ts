// One server per data directory: the store's caches and the code store assume a single writer. The lock is
// a file holding the owner's pid; a lock whose process is gone (a crashed server) is taken over.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NimbusError } from '../shared/errors.js';
import { isProcessAlive } from '../shared/process.js';


/** Lock files this process holds (a second in-process server must see them as taken). */
const held = new Set<string>();

/** Takes the lock or throws ERR_CONFIG naming the process that holds it. Returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  const file = join(dataDir, 'nimbus.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      held.add(file);
      return () => {
        held.delete(file);
        rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8').trim());
      // Our own pid in the file is stale unless we really hold it: a crashed server in a container restarts
      // with the same pid (often 1).
      const taken = owner === process.pid ? held.has(file) : Number.isInteger(owner) && owner > 0 && isProcessAlive(owner);
      if (taken) {
        throw new NimbusError('ERR_CONFIG', `data directory ${dataDir} is in use by another Nimbus server (pid ${owner}); stop it or choose another --data-dir`, { user: true });
      }
      rmSync(file, { force: true });
    }
  }
  throw new NimbusError('ERR_CONFIG', `cannot lock data directory ${dataDir}`, { user: true });
}
