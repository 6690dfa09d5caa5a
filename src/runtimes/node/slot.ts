/**
 * A pre-started runtime (the engine's runtime slots) waits here for the function it will run.
 *
 * The engine starts `node bootstrap.js` with _NIMBUS_SLOT=1 and only the environment every function of the
 * runtime shares, before any function is known; the runtime's modules are loaded by then. When a cold start
 * takes the slot, the engine mounts the function's code at /var/task and writes one JSON line to stdin:
 * `{"env": {...}}`, the environment the process would have been started with. This replaces the environment,
 * moves into the (now mounted) task root and points stdin at /dev/null, as a runtime started for the function
 * has it; start-up then goes on as usual (bootstrap.ts). The read blocks the thread: there is nothing else to do.
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const SLOT_VARIABLE = '_NIMBUS_SLOT';

export function awaitFunction(): void {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (;;) {
    const n = readBlocking(buf);
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf[n - 1] === 0x0a) break;
  }
  const { env } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { env: Record<string, string> };
  for (const name of Object.keys(process.env)) if (!Object.hasOwn(env, name)) delete process.env[name];
  Object.assign(process.env, env);
  // The working directory was the empty mount point: enter the code mounted on top of it.
  process.chdir(env['LAMBDA_TASK_ROOT'] ?? '/var/task');
  closeSync(0);
  openSync('/dev/null', 'r'); // the lowest free descriptor: 0
}

/** readSync on stdin, waiting out EAGAIN should the descriptor be non-blocking. */
function readBlocking(buf: Buffer): number {
  for (;;) {
    try {
      return readSync(0, buf, 0, buf.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}
