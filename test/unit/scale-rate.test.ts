// Unit tests for engine/scale-rate.ts: N new environments per 10 s, refilled continuously, never beyond N.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScaleRate } from '../../src/engine/scale-rate.js';

describe('ScaleRate', () => {
  it('allows a burst of N, then refills at N per 10 s without accumulating beyond N', () => {
    let now = 0;
    const rate = new ScaleRate(10, () => now);
    for (let i = 0; i < 10; i++) assert.equal(rate.take(), true, `token ${i + 1}`);
    assert.equal(rate.take(), false, 'the burst is spent');
    now += 1000; // one token per second at 10 per 10 s
    assert.equal(rate.take(), true);
    assert.equal(rate.take(), false);
    now += 60_000;
    for (let i = 0; i < 10; i++) assert.equal(rate.take(), true);
    assert.equal(rate.take(), false, 'an idle minute does not bank more than N');
  });

  it('0 means unlimited', () => {
    const rate = new ScaleRate(0, () => 0);
    for (let i = 0; i < 10_000; i++) assert.equal(rate.take(), true);
  });
});
