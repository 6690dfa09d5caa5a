// Unit tests for engine/host-capacity.ts: leases against the budget, eviction before refusal, wake-ups.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostCapacity } from '../../src/engine/host-capacity.js';

describe('HostCapacity', () => {
  it('grants leases while they fit and releases each exactly once', () => {
    const cap = new HostCapacity(256, 0);
    const a = cap.tryAcquire(128);
    const b = cap.tryAcquire(128);
    assert.ok(a !== undefined && b !== undefined);
    assert.equal(cap.tryAcquire(1), undefined);
    a.release();
    a.release();
    assert.equal(cap.committedMb, 128);
    assert.ok(cap.tryAcquire(128) !== undefined);
  });

  it('asks the evictor for exactly the missing memory before refusing', () => {
    const cap = new HostCapacity(300, 0);
    const held = [cap.tryAcquire(128), cap.tryAcquire(128)];
    const asked: number[] = [];
    cap.setEvictor((mb) => {
      asked.push(mb);
      held.shift()?.release();
      return 128;
    });
    assert.ok(cap.tryAcquire(128) !== undefined, 'room made by eviction');
    assert.deepEqual(asked, [84]);
    cap.setEvictor(() => 0);
    assert.equal(cap.tryAcquire(200), undefined, 'nothing left to evict');
  });

  it('a budget of 0 admits everything', () => {
    const cap = new HostCapacity(0, 0);
    assert.ok(cap.tryAcquire(1_000_000) !== undefined);
  });

  it('nextChange resolves on a release or at the deadline', async () => {
    const cap = new HostCapacity(128, 0);
    const lease = cap.tryAcquire(128);
    const woken = cap.nextChange(Date.now() + 60_000);
    lease?.release();
    await woken;
    await cap.nextChange(Date.now() + 10);
    assert.equal(cap.committedMb, 0);
  });
});
