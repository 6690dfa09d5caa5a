#!/usr/bin/env node
// Entry of the `nimbus` command (package.json bin): runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(main)) {
  process.stderr.write('nimbus: not built yet. Run `npm run setup` (or `npm start`) in the Nimbus directory first.\n');
  process.exit(1);
}
await import(main);
