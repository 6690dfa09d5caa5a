// `nimbus serve` as a child process (for tests that kill the server): a free port, its own data dir unless one is
// given, extra environment (config keys as NIMBUS_* variables). Callers kill the child and remove the data dir.
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface ServerProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  readonly url: string;
  readonly dataDir: string;
}

export async function spawnServer(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nimbus-proc-'));
  const env: NodeJS.ProcessEnv = { ...process.env, NIMBUS_LOG_LEVEL: 'warn', ...options.env };
  delete env['NODE_EXTRA_CA_CERTS'];
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', '--port', '0', '--data-dir', dataDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Nimbus (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
  return { child, url, dataDir };
}
