// Writes docs/configuration.md from the configuration schema (run after `npm run build`).
import { writeFileSync } from 'node:fs';
import { configurationMarkdown } from '../dist/src/config/index.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationMarkdown());
process.stdout.write('docs/configuration.md written\n');
