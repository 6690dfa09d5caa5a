// Reserved concurrency and throttling: the concurrency API against the recorded AWS responses, and invocations
// over a function's reserved concurrency or the account's limit answered with AWS's 429 (Reason, Retry-After),
// on a server whose account limit is small enough to reach.
import {
  CreateFunctionCommand, DeleteFunctionConcurrencyCommand, GetAccountSettingsCommand, GetFunctionCommand, GetFunctionConcurrencyCommand,
  PutFunctionConcurrencyCommand, waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, API, conformanceSession, entry, REGION, uid } from '../helpers/conformance.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { botocoreView, recorded, SnapshotNormaliser, type WireResponse } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

const session = conformanceSession();
const { send } = session;

/** Older recordings carry no `HTTPHeaders` in ResponseMetadata: compare without it then. */
function view(response: WireResponse, norm: SnapshotNormaliser, expected: unknown): unknown {
  const v = norm.normalise(botocoreView(response)) as { ResponseMetadata?: Record<string, unknown> };
  const recordedMeta = (expected as { ResponseMetadata?: Record<string, unknown> }).ResponseMetadata;
  if (v.ResponseMetadata !== undefined && recordedMeta !== undefined && !('HTTPHeaders' in recordedMeta)) delete v.ResponseMetadata['HTTPHeaders'];
  return v;
}

function checker(snap: Record<string, unknown>, norm: SnapshotNormaliser) {
  return (response: WireResponse, key: string): void => {
    const expected = entry(snap, key);
    assert.deepEqual(view(response, norm, expected), expected, key);
  };
}

describe('conformance: reserved concurrency API', () => {
  it('test_function_concurrency and test_lambda_concurrency_crud: put 0 and 1, get, delete', async () => {
    const name = `conc-${uid()}`;
    await session.createPython(name);
    await session.waitActive(name);
    const snap = recorded(`${API}::TestLambdaReservedConcurrency::test_function_concurrency`);
    const check = checker(snap, new SnapshotNormaliser({ functionNames: [name] }));
    check(await send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 })), 'put_function_concurrency_with_reserved_0');
    check(await send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 })), 'put_function_concurrency_with_reserved_1');
    check(await send(new GetFunctionConcurrencyCommand({ FunctionName: name })), 'get_function_concurrency');
    const got = JSON.parse((await send(new GetFunctionCommand({ FunctionName: name }))).body.toString()) as { Concurrency?: unknown };
    assert.deepEqual(got.Concurrency, { ReservedConcurrentExecutions: 1 }, 'GetFunction shows the reserved concurrency');
    check(await send(new DeleteFunctionConcurrencyCommand({ FunctionName: name })), 'delete_response');
    check(await send(new GetFunctionConcurrencyCommand({ FunctionName: name })), 'get_function_concurrency_after_delete');

    const crud = recorded('test_lambda.py::TestLambdaConcurrency::test_lambda_concurrency_crud');
    const c = checker(crud, new SnapshotNormaliser({ functionNames: [name] }));
    c(await send(new GetFunctionConcurrencyCommand({ FunctionName: name })), 'get_function_concurrency_default');
    c(await send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 })), 'put_function_concurrency');
    c(await send(new GetFunctionConcurrencyCommand({ FunctionName: name })), 'get_function_concurrency_updated');
    await send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));
    c(await send(new GetFunctionConcurrencyCommand({ FunctionName: name })), 'get_function_concurrency_deleted');
  });

  it('test_function_concurrency_exceptions, test_function_concurrency_limits, test_ops_on_nonexisting_fn[get_function_concurrency]', async () => {
    const name = `conc-${uid()}`;
    await session.createPython(name);
    await session.waitActive(name);
    const exc = recorded(`${API}::TestLambdaReservedConcurrency::test_function_concurrency_exceptions`);
    const check = checker(exc, new SnapshotNormaliser({ functionNames: [name] }));
    check(await send(new PutFunctionConcurrencyCommand({ FunctionName: 'doesnotexist', ReservedConcurrentExecutions: 1 })), 'put_function_concurrency_with_function_name_doesnotexist');
    check(await send(new PutFunctionConcurrencyCommand({ FunctionName: 'doesnotexist', ReservedConcurrentExecutions: -1 })), 'put_function_concurrency_with_function_name_doesnotexist_and_invalid_concurrency');
    check(await send(new PutFunctionConcurrencyCommand({ FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:$LATEST`, ReservedConcurrentExecutions: 1 })), 'put_function_concurrency_with_qualified_arn');

    const limits = recorded(`${API}::TestLambdaReservedConcurrency::test_function_concurrency_limits`);
    const l = checker(limits, new SnapshotNormaliser({ functionNames: [name], replacements: { '[100]': '[<min_unreserved_concurrency>]' } }));
    const settings = await session.lambda.send(new GetAccountSettingsCommand({}));
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    l(await send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: unreserved + 1 })), 'put_function_concurrency_account_limit_exceeded');
    l(await send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: unreserved - 99 })), 'put_function_concurrency_below_unreserved_min_value');

    // What may be reserved, may be reserved; GetAccountSettings then reports less unreserved concurrency.
    await session.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: unreserved - 100 }));
    const after = await session.lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(after.AccountLimit?.UnreservedConcurrentExecutions, 100);
    assert.equal(after.AccountLimit?.ConcurrentExecutions, 1000);
    await session.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: name }));

    const missing = `i-dont-exist-${uid()}`;
    const nf = checker(recorded(`${API}::TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_concurrency]`), new SnapshotNormaliser({ replacements: { [missing]: '<nonexisting-fn-name>' } }));
    nf(await send(new GetFunctionConcurrencyCommand({ FunctionName: missing })), 'not_found_exception');
  });
});

describe('throttling', () => {
  let small: TestServer;
  // A handler that holds its environment for `event.ms` milliseconds.
  const SLEEPER = 'exports.handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 0)); return { slept: event.ms ?? 0 }; };\n';

  before(async () => {
    small = await startTestServer({ account: { concurrentExecutions: 3, minUnreservedConcurrency: 1 } });
  });
  after(async () => {
    await small.stop();
  });

  async function deploy(name: string): Promise<void> {
    await small.lambda.send(new CreateFunctionCommand({
      FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Code: { ZipFile: await makeZip({ 'index.js': SLEEPER }) },
    }));
    await waitUntilFunctionActiveV2({ client: small.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
  }

  /** Raw responses of `n` concurrent invocations of `name` sleeping `ms`. */
  async function burst(name: string, n: number, ms: number): Promise<Array<{ status: number; headers: Headers; body: Record<string, unknown> }>> {
    const wire = new WireCapture(small);
    return Promise.all(Array.from({ length: n }, () => wire.invoke(name, { ms })));
  }

  it('reserved concurrency 0 throttles every invocation with AWS\'s 429 (test_reserved_concurrency)', async () => {
    const name = `thr-${uid()}`;
    await deploy(name);
    await small.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 0 }));
    const snap = recorded('test_lambda.py::TestLambdaConcurrency::test_reserved_concurrency');
    const [only] = await burst(name, 1, 0);
    assert.ok(only !== undefined);
    assert.equal(only.status, 429);
    assert.equal(only.headers.get('x-amzn-errortype'), 'TooManyRequestsException');
    assert.equal(only.headers.get('retry-after'), '1');
    const expected = entry(snap, 'exc_no_cap_requestresponse') as Record<string, unknown>;
    assert.deepEqual(only.body, { Type: expected['Type'], message: expected['message'], Reason: expected['Reason'] });
  });

  it('reserved concurrency 1: of two concurrent invocations one runs and one is throttled; then both run one after another', async () => {
    const name = `thr-${uid()}`;
    await deploy(name);
    await small.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: name, ReservedConcurrentExecutions: 1 }));
    const results = await burst(name, 2, 300);
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 429]);
    assert.equal(results.find((r) => r.status === 429)?.body['Reason'], 'ReservedFunctionConcurrentInvocationLimitExceeded');
    for (let i = 0; i < 2; i += 1) assert.equal((await burst(name, 1, 0))[0]?.status, 200, 'slots are released');
  });

  it('the account limit throttles the unreserved pool (ConcurrentInvocationLimitExceeded), and a limit change applies at once', async () => {
    const a = `thr-${uid()}`;
    await deploy(a);
    // The account limit is 3; earlier tests reserved some of it for their functions.
    const unreserved = (await small.lambda.send(new GetAccountSettingsCommand({}))).AccountLimit?.UnreservedConcurrentExecutions ?? 0;
    assert.ok(unreserved >= 2, `unreserved ${unreserved}`);
    const results = await burst(a, 5, 400);
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array<number>(unreserved).fill(200), ...Array<number>(5 - unreserved).fill(429)], 'the unreserved pool runs, the rest is throttled');
    assert.ok(results.filter((r) => r.status === 429).every((r) => r.body['Reason'] === 'ConcurrentInvocationLimitExceeded'));

    // Reserving all but 1 of the pool for another function leaves 1 for the unreserved pool, at once.
    const b = `thr-${uid()}`;
    await deploy(b);
    await small.lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: b, ReservedConcurrentExecutions: unreserved - 1 }));
    const after = await burst(a, 2, 300);
    assert.deepEqual(after.map((r) => r.status).sort(), [200, 429]);
    const settings = await small.lambda.send(new GetAccountSettingsCommand({}));
    assert.equal(settings.AccountLimit?.UnreservedConcurrentExecutions, 1);
  });
});

/** Invokes over plain HTTP (unsigned; Nimbus reads the region from SigV4 when present) to see raw 429 responses. */
class WireCapture {
  constructor(private readonly server: TestServer) {}

  async invoke(name: string, event: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
    const res = await fetch(`${this.server.url}/2015-03-31/functions/${name}/invocations`, { method: 'POST', body: JSON.stringify(event) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }
}
