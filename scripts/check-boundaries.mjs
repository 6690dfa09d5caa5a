// Enforces DESIGN.md §2: which module may import which, imports only through a module's index.ts from
// outside it, and no import cycles between modules. Run by `npm run check` and by the unit suite.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** module → modules it may import (besides itself). `runtimes/node` runs inside environments: nothing. */
export const allowed = {
  shared: [],
  model: ['shared'],
  config: ['shared', 'model'],
  store: ['shared', 'model', 'config'],
  runtimes: ['shared', 'model'],
  'runtimes/node': [],
  sandbox: ['shared', 'config'],
  observe: ['shared', 'config'],
  engine: ['shared', 'model', 'config', 'runtimes', 'sandbox', 'observe'],
  services: ['shared', 'model', 'config', 'store', 'engine', 'observe', 'runtimes'],
  api: ['services', 'model', 'shared', 'observe'],
  gateway: ['services', 'model', 'shared', 'observe'],
  main: ['shared', 'model', 'config', 'store', 'runtimes', 'sandbox', 'engine', 'services', 'api', 'gateway', 'observe'],
  cli: ['shared', 'config', 'main'],
};

function moduleOf(file) {
  const rel = relative(root, file).split('/');
  if (rel[0] === 'runtimes' && rel[1] === 'node') return 'runtimes/node';
  return rel[0];
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

export function check() {
  const problems = [];
  const edges = new Map();
  for (const file of files(root)) {
    const from = moduleOf(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
      const target = resolve(dirname(file), m[1]);
      if (!target.startsWith(root)) continue;
      const to = moduleOf(target);
      if (to === from) continue;
      if (!(allowed[from] ?? []).includes(to)) problems.push(`${relative(root, file)}: ${from} must not import ${to}`);
      // Reaching into another module's files instead of its index.ts; the CLI's serve command is the one
      // sanctioned user of main/, and model/shared files are fine to import directly (pure, no state).
      const base = target.replace(/\.js$/, '');
      const viaIndex = base.endsWith('/index') && dirname(base) === join(root, to);
      if (!viaIndex && !['shared', 'model'].includes(to)) problems.push(`${relative(root, file)}: imports ${relative(root, target)} instead of ${to}/index`);
      if (!edges.has(from)) edges.set(from, new Set());
      edges.get(from).add(to);
    }
  }
  const visiting = new Set();
  const done = new Set();
  const visit = (node, path) => {
    if (done.has(node)) return;
    if (visiting.has(node)) return problems.push(`module cycle: ${[...path, node].join(' → ')}`);
    visiting.add(node);
    for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    visiting.delete(node);
    done.add(node);
  };
  for (const node of edges.keys()) visit(node, []);
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = check();
  for (const p of problems) process.stderr.write(`boundary: ${p}\n`);
  process.stdout.write(problems.length === 0 ? 'module boundaries: ok\n' : `module boundaries: ${problems.length} problem(s)\n`);
  process.exit(problems.length === 0 ? 0 : 1);
}
