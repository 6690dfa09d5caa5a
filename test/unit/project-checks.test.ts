// Project invariants that must hold on every change: generated docs are current, module boundaries hold.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configurationMarkdown } from '../../src/config/index.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

test('docs/configuration.md is generated from the current schema', () => {
  const onDisk = readFileSync(`${repo}docs/configuration.md`, 'utf8');
  assert.equal(onDisk, configurationMarkdown(), 'run `npm run build && node scripts/gen-config-doc.mjs`');
});

test('module boundaries of DESIGN.md §2 hold (no forbidden imports, no cycles)', async () => {
  const { check } = (await import(`${repo}scripts/check-boundaries.mjs`)) as { check: () => string[] };
  assert.deepEqual(check(), []);
});
