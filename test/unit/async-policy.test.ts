// The async retry policy as a pure function: function errors retried MaximumRetryAttempts times ~1 and ~2 min
// apart (scaled), platform errors retried with doubling back-off while the event is young enough.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expired, settle } from '../../src/services/async-policy.js';

const fresh = { invokeCount: 0, functionErrors: 0, platformErrors: 0 };
const T0 = 1_000_000;

describe('async retry policy', () => {
  it('a success is done and counts the invocation', () => {
    assert.deepEqual(settle('ok', fresh, T0, T0, undefined, 1), { kind: 'done', counts: { invokeCount: 1, functionErrors: 0, platformErrors: 0 } });
  });

  it('function errors: two retries by default, after 60 s then 120 s, then RetriesExhausted', () => {
    const first = settle('function-error', fresh, T0, T0, undefined, 1);
    assert.deepEqual(first, { kind: 'retry', at: T0 + 60_000, counts: { invokeCount: 1, functionErrors: 1, platformErrors: 0 } });
    const second = settle('function-error', first.counts, T0, T0 + 60_000, undefined, 1);
    assert.deepEqual(second, { kind: 'retry', at: T0 + 180_000, counts: { invokeCount: 2, functionErrors: 2, platformErrors: 0 } });
    const third = settle('function-error', second.counts, T0, T0 + 180_000, undefined, 1);
    assert.equal(third.kind, 'failed');
    assert.equal(third.kind === 'failed' && third.condition, 'RetriesExhausted');
    assert.equal(third.counts.invokeCount, 3);
  });

  it('MaximumRetryAttempts 0 fails on the first function error; the scale shrinks delays', () => {
    assert.equal(settle('function-error', fresh, T0, T0, { maximumRetryAttempts: 0, lastModified: 0 }, 1).kind, 'failed');
    const scaled = settle('function-error', fresh, T0, T0, undefined, 0.001);
    assert.equal(scaled.kind === 'retry' && scaled.at, T0 + 60);
  });

  it('platform errors (throttles) back off 1 s, 2 s, 4 s … without using up retry attempts', () => {
    let counts = fresh;
    const ats: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const s = settle('platform-error', counts, T0, T0, undefined, 1);
      assert.equal(s.kind, 'retry');
      if (s.kind === 'retry') ats.push(s.at - T0);
      counts = s.counts;
    }
    assert.deepEqual(ats, [1000, 2000, 4000, 8000]);
    assert.equal(counts.functionErrors, 0);
    assert.equal(counts.invokeCount, 0);
  });

  it('a retry that would fall past MaximumEventAgeInSeconds fails as EventAgeExceeded', () => {
    const config = { maximumEventAgeSec: 60, lastModified: 0 };
    const s = settle('function-error', fresh, T0, T0 + 1_000, config, 1);
    assert.equal(s.kind === 'failed' && s.condition, 'EventAgeExceeded');
    const throttled = settle('platform-error', { ...fresh, platformErrors: 8 }, T0, T0 + 59_000, config, 1);
    assert.equal(throttled.kind === 'failed' && throttled.condition, 'EventAgeExceeded');
    assert.equal(expired(T0, T0 + 60_001, config), true);
    assert.equal(expired(T0, T0 + 60_000, config), false);
    assert.equal(expired(T0, T0 + 6 * 3600_000 + 1, undefined), true);
  });
});
