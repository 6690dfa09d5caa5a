// Runs the whole suite with Node's test runner: unit tests, then integration tests (real servers, real
// runtime processes, real clients). Prints node's summary; exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith('.test.js')) out.push(path);
  }
  return out.sort();
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : [...testFiles('dist/test/unit'), ...testFiles('dist/test/integration')];
// The runtime processes must not inherit machine-wide Node settings that slow every start (notes/isolation-findings.md).
const env = { ...process.env };
delete env.NODE_EXTRA_CA_CERTS;
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
