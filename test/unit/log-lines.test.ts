// Unit tests for observe/log-lines.ts: the platform lines Lambda writes into a function's log stream, pinned to
// the formats AWS prints (tabs, trailing tab, Status without trailing tab), plus billing and stream names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  billedMs,
  endLine,
  initStartLine,
  logStreamName,
  reportLine,
  startLine,
  timeoutLine,
} from '../../src/observe/log-lines.js';

const ID = '5c9c9f6d-ae0f-4f2c-9d2b-0c1f9a1d2e3f';

describe('START / END / INIT_START', () => {
  it('START names the request and version', () => {
    assert.equal(startLine(ID, '$LATEST'), `START RequestId: ${ID} Version: $LATEST`);
    assert.equal(startLine(ID, '1'), `START RequestId: ${ID} Version: 1`);
  });

  it('END names the request', () => {
    assert.equal(endLine(ID), `END RequestId: ${ID}`);
  });

  it('INIT_START separates the runtime version and its ARN with a tab', () => {
    const arn = `arn:aws:lambda:us-east-1::runtime:${'0'.repeat(64)}`;
    assert.equal(initStartLine('nodejs:20.v48', arn), `INIT_START Runtime Version: nodejs:20.v48\tRuntime Version ARN: ${arn}`);
  });
});

describe('REPORT', () => {
  const base = { durationMs: 2.9, billedDurationMs: 3, memorySizeMb: 128, maxMemoryUsedMb: 36 };

  it('warm: every field followed by a tab, no Init Duration', () => {
    assert.equal(
      reportLine(ID, base),
      `REPORT RequestId: ${ID}\tDuration: 2.90 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\t`,
    );
  });

  it('cold: Init Duration with two decimals, then the trailing tab', () => {
    assert.equal(
      reportLine(ID, { durationMs: 3.01, billedDurationMs: 4, memorySizeMb: 128, maxMemoryUsedMb: 36, initDurationMs: 110.1 }),
      `REPORT RequestId: ${ID}\tDuration: 3.01 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 36 MB\tInit Duration: 110.10 ms\t`,
    );
  });

  it('timeout: "Status: timeout" closes the line without a trailing tab', () => {
    const line = reportLine(ID, { durationMs: 2000, billedDurationMs: 2000, memorySizeMb: 4096, maxMemoryUsedMb: 147, status: 'timeout' });
    assert.equal(
      line,
      `REPORT RequestId: ${ID}\tDuration: 2000.00 ms\tBilled Duration: 2000 ms\tMemory Size: 4096 MB\tMax Memory Used: 147 MB\tStatus: timeout`,
    );
    assert.ok(!line.endsWith('\t'));
  });

  it('error with type after Init Duration (the OOM shape)', () => {
    assert.equal(
      reportLine(ID, {
        durationMs: 8948.73, billedDurationMs: 8949, memorySizeMb: 2048, maxMemoryUsedMb: 2048, initDurationMs: 495.04,
        status: 'error', errorType: 'Runtime.OutOfMemory',
      }),
      `REPORT RequestId: ${ID}\tDuration: 8948.73 ms\tBilled Duration: 8949 ms\tMemory Size: 2048 MB\tMax Memory Used: 2048 MB\tInit Duration: 495.04 ms\tStatus: error\tError Type: Runtime.OutOfMemory`,
    );
  });

  it('rounds durations to two decimals', () => {
    assert.match(reportLine(ID, { ...base, durationMs: 1.005 + 1e-9 }), /\tDuration: 1\.01 ms\t/);
    assert.match(reportLine(ID, { ...base, durationMs: 0.001 }), /\tDuration: 0\.00 ms\t/);
  });
});

describe('billedMs', () => {
  it('rounds up to whole milliseconds', () => {
    assert.equal(billedMs(2.9), 3);
    assert.equal(billedMs(3.01), 4);
    assert.equal(billedMs(8948.73), 8949);
    assert.equal(billedMs(2000), 2000);
  });

  it('never bills less than 1 ms', () => {
    assert.equal(billedMs(0), 1);
    assert.equal(billedMs(0.0001), 1);
    assert.equal(billedMs(1), 1);
  });
});

describe('timeoutLine', () => {
  it('ISO time, space, request id, space, configured seconds with two decimals', () => {
    assert.equal(
      timeoutLine('2020-11-10T05:46:57.874Z', ID, 3),
      `2020-11-10T05:46:57.874Z ${ID} Task timed out after 3.00 seconds`,
    );
    assert.equal(timeoutLine('2025-07-01T00:00:00.000Z', ID, 60.06), `2025-07-01T00:00:00.000Z ${ID} Task timed out after 60.06 seconds`);
  });
});

describe('logStreamName', () => {
  const hex = 'b249865adaaf4fad80f95f8ad09725b8';

  it('YYYY/MM/DD/[version]<32 hex>', () => {
    assert.equal(logStreamName(Date.UTC(2020, 5, 9, 12), '$LATEST', hex), `2020/06/09/[$LATEST]${hex}`);
    assert.equal(logStreamName(Date.UTC(2024, 11, 31, 0), '3', hex), `2024/12/31/[3]${hex}`);
  });

  it('uses the UTC date, not the local one', () => {
    assert.equal(logStreamName(Date.UTC(2021, 0, 1, 23, 59, 59, 999), '$LATEST', hex), `2021/01/01/[$LATEST]${hex}`);
    assert.equal(logStreamName(Date.UTC(2021, 0, 2, 0, 0, 0, 0), '$LATEST', hex), `2021/01/02/[$LATEST]${hex}`);
  });

  it('matches the AWS shape', () => {
    assert.match(logStreamName(Date.UTC(2026, 0, 12), '$LATEST', hex), /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  });
});
