// The cgroup v2 limits through their file interface. This project's hosts bind the memory, cpu and pids
// controllers to cgroup v1, so the kernel cannot enforce v2 limits here; these tests run the code against a
// directory laid out like a delegated cgroup2 group and check what it writes and how it reads the kernel's
// formats (Documentation/admin-guide/cgroup-v2.rst). Enforcement itself is covered by the v1 integration tests.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { enableControllers, enabledForChildren, V2Limits } from '../../src/sandbox/cgroup2-limits.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nimbus-cg2-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A group directory with the control files the kernel would create, with these contents. */
function group(files: Record<string, string>): string {
  const dir = join(root, 'env');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('cgroup v2 limits', () => {
  it('writes memory.max, memory.swap.max and pids.max for the controllers it was given', () => {
    const dir = group({ 'memory.max': 'max\n', 'memory.swap.max': 'max\n', 'pids.max': 'max\n', 'cpu.max': 'max 100000\n' });
    V2Limits.apply(dir, new Set(['memory', 'pids']), 128, 1024).close();
    assert.equal(read(dir, 'memory.max'), String(128 * 1024 * 1024));
    assert.equal(read(dir, 'memory.swap.max'), '0');
    assert.equal(read(dir, 'pids.max'), '1024');
    assert.equal(read(dir, 'cpu.max'), 'max 100000\n', 'cpu is applied only at the first /next');
  });

  it('sets cpu.max in proportion to memory, unlimited at or above the host\'s cores, and lifts it', () => {
    const dir = group({ 'cpu.max': 'max 100000\n' });
    const limits = V2Limits.apply(dir, new Set(['cpu']), 128, 1024);
    limits.limitCpu(128, 2);
    assert.equal(read(dir, 'cpu.max'), '7236 100000');
    limits.limitCpu(3538, 2);
    assert.equal(read(dir, 'cpu.max'), 'max 100000');
    limits.limitCpu(1769, 2);
    assert.equal(read(dir, 'cpu.max'), '100000 100000');
    limits.unlimitCpu();
    assert.equal(read(dir, 'cpu.max'), 'max 100000');
    limits.close();
  });

  it('reads the peak from memory.peak and OOM kills from memory.events', () => {
    const dir = group({
      'memory.peak': '134217728\n',
      'memory.events': 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n',
    });
    const limits = V2Limits.apply(dir, new Set(['memory']), 128, 1024);
    assert.equal(limits.peakMemoryBytes(), 134217728);
    assert.equal(limits.oomKills(), 1);
    limits.close();
  });

  it('claims nothing for controllers it was not given', () => {
    const dir = group({ 'memory.peak': '1\n', 'memory.events': 'oom_kill 3\n' });
    const limits = V2Limits.apply(dir, new Set(['pids']), 128, 1024);
    assert.equal(limits.peakMemoryBytes(), undefined);
    assert.equal(limits.oomKills(), undefined);
    assert.equal(limits.has('memory'), false);
    limits.close();
  });

  it('writes +controller along the path and trusts only what the kernel lists as enabled', () => {
    const outer = join(root, 'nimbus');
    const inner = join(outer, 'server-1');
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(outer, 'cgroup.subtree_control'), '');
    writeFileSync(join(inner, 'cgroup.subtree_control'), '');
    // A plain file keeps only the last write (the kernel accumulates): each directory got the last one.
    enableControllers([outer, inner], ['memory', 'pids']);
    assert.equal(read(outer, 'cgroup.subtree_control'), '+pids');
    assert.equal(read(inner, 'cgroup.subtree_control'), '+pids');
    // What the kernel then lists for the children is what counts.
    writeFileSync(join(inner, 'cgroup.subtree_control'), 'cpu memory pids io\n');
    assert.deepEqual([...enabledForChildren(inner)].sort(), ['cpu', 'memory', 'pids']);
    assert.deepEqual([...enableControllers([join(root, 'missing')], ['memory'])], [], 'a directory it cannot write enables nothing');
  });
});
