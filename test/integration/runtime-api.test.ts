// The Runtime API through a real server, a real custom runtime (a shell bootstrap speaking HTTP with curl, in
// the sandbox) and @aws-sdk/client-lambda: what the caller of Invoke sees of the runtime's replies, and what the
// runtime is answered (it keeps the answers and hands them back on request). The per-row rules are unit-tested
// in test/unit/runtime-api*.test.ts; this checks the whole path.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

const CAP = 6291556;

describe('Runtime API seen by the caller', () => {
  let server: TestServer;
  const probe = (order: string) => invoke(server.lambda, 'probe', order);
  before(async () => {
    server = await startTestServer();
    await deployFixture(server.lambda, 'provided-rapi-probe', 'probe', { Runtime: 'provided.al2023', Handler: 'probe' });
  });
  after(async () => {
    await server.stop();
  });

  it('a response of exactly 6 MiB + 100 bytes arrives whole; one byte more is Function.ResponseSizeTooLarge, and the runtime is told 413', async () => {
    const exact = await probe('exact');
    assert.equal(exact.functionError, undefined);
    assert.equal(exact.payloadText.length, CAP);
    assert.ok(/^x+$/.test(exact.payloadText));
    const over = await probe('over');
    assert.equal(over.functionError, 'Unhandled');
    assert.equal(over.payloadText, '{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}');
    assert.deepEqual((await probe('answers')).payload, ['202 OK', '413 RequestEntityTooLarge']);
  });

  it('one reply per request: a second response or an error after it is 403, a wrong id 400, /init/error after /next 403', async () => {
    assert.equal((await probe('twice')).payloadText, 'first');
    assert.equal((await probe('wrong-id')).payloadText, 'right');
    assert.equal((await probe('late-init-error')).payloadText, 'late');
    assert.deepEqual((await probe('answers')).payload, [
      '202 OK', '403 InvalidStateTransition', '403 InvalidStateTransition',
      '400 InvalidRequestID', '202 OK',
      '403 InvalidStateTransition', '202 OK',
    ]);
  });

  it('/next asked again without a reply hands out the same event', async () => {
    const result = await probe('next-again');
    const requestId = /START RequestId: (\S+)/.exec(result.log)?.[1];
    assert.deepEqual(result.payload, { first: requestId, again: requestId, sameEvent: true });
  });

  it('a chunked response arrives whole', async () => {
    assert.deepEqual((await probe('chunked')).payload, { chunked: true });
  });

  it('an error report reaches the caller as posted, without the X-Ray cause header', async () => {
    const failed = await probe('error');
    assert.equal(failed.functionError, 'Unhandled');
    assert.equal(failed.payloadText, '{"errorMessage":"shell failed","errorType":"ShellFailure"}');
    assert.doesNotMatch(failed.log, /secret cause/);
  });
});

describe('Runtime API: init errors seen by the caller', () => {
  let server: TestServer;
  const INIT_FAILS = `#!/bin/sh
curl -sS -o /dev/null -X POST "http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime/init/error" \\
  -H "Lambda-Runtime-Function-Error-Type: $ERROR_TYPE" -d '{"errorMessage":"bootstrap cannot start","errorType":"BootstrapError"}'
exit 1
`;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  for (const [declared, logged] of [['Runtime.ShellInitFailed', 'Runtime.ShellInitFailed'], ['ShellInitFailed', 'Runtime.Unknown']] as const) {
    it(`the error type from Lambda-Runtime-Function-Error-Type (${declared}) is logged as ${logged}, the body goes to the caller`, async () => {
      const name = `init-${declared.replace('.', '-')}`;
      await deployFixture(server.lambda, 'provided-shell', name, {
        Runtime: 'provided.al2023', Handler: 'none', Environment: { Variables: { ERROR_TYPE: declared } },
        Code: { ZipFile: await makeZip({ bootstrap: { content: INIT_FAILS, mode: 0o755 } }) },
      });
      const result = await invoke(server.lambda, name);
      assert.equal(result.functionError, 'Unhandled');
      assert.equal(result.payloadText, '{"errorMessage":"bootstrap cannot start","errorType":"BootstrapError"}');
      assert.match(result.log, new RegExp(`^INIT_REPORT Init Duration: [\\d.]+ ms\\tPhase: init\\tStatus: error\\tError Type: ${logged}\\n`, 'm'));
      assert.match(result.log, new RegExp(`\\tStatus: error\\tError Type: ${logged}\\n$`));
    });
  }
});
