// Provisioned concurrency: the API against the recorded AWS responses, and at run time — environments initialised
// ahead of invocations (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency, no Init Duration in REPORT), used
// first, spilling over to on-demand ones, and provisioned again after a restart.
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteProvisionedConcurrencyConfigCommand, GetProvisionedConcurrencyConfigCommand,
  type GetProvisionedConcurrencyConfigCommandOutput,
  type LambdaClient, ListProvisionedConcurrencyConfigsCommand, PublishVersionCommand, PutProvisionedConcurrencyConfigCommand, waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API, conformanceSession, entry, uid } from '../helpers/conformance.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, TEST_ROLE } from '../helpers/server.js';
import { botocoreView, recorded, SnapshotNormaliser, type WireResponse } from '../helpers/snapshots.js';
import { makeZip } from '../helpers/zip.js';

const session = conformanceSession();
const { send } = session;

/**
 * These recordings number the role `<resource:2>`: LocalStack's test registered one resource before its first
 * snapshot. The normaliser is given that one first, so the numbers line up.
 */
function pcNormaliser(options: ConstructorParameters<typeof SnapshotNormaliser>[0]): SnapshotNormaliser {
  const norm = new SnapshotNormaliser(options);
  norm.normalise({ Role: 'arn:aws:iam::000000000000:role/registered-before-the-first-snapshot' });
  return norm;
}

function checker(snap: Record<string, unknown>, norm: SnapshotNormaliser) {
  return (response: WireResponse, key: string): void => assert.deepEqual(norm.normalise(botocoreView(response)), entry(snap, key), key);
}

describe('conformance: provisioned concurrency API', () => {
  it('test_provisioned_concurrency_exceptions: every not-found, $LATEST and validation case', async () => {
    const snap = recorded(`${API}::TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions`);
    const name = `pc-${uid()}`;
    const check = checker(snap, pcNormaliser({ functionNames: [name] }));
    await session.createPython(name);
    await session.waitActive(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_version_result');

    const get = (fn: string, q: string) => send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: q }));
    const del = (fn: string, q: string) => send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: q }));
    const put = (fn: string, q: string, n: number) => send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: fn, Qualifier: q, ProvisionedConcurrentExecutions: n }));
    check(await get(name, '1'), 'get_provisioned_config_doesnotexist');
    check(await get('doesnotexist', 'noalias'), 'get_provisioned_functionname_doesnotexist');
    check(await get(name, 'noalias'), 'get_provisioned_qualifier_doesnotexist');
    check(await get(name, '10'), 'get_provisioned_version_doesnotexist');
    check(await get(name, '$LATEST'), 'get_provisioned_latest');
    check(await send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name })), 'list_provisioned_noconfigs');
    check(await send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: 'doesnotexist' })), 'list_provisioned_functionname_doesnotexist');
    check(await del('doesnotexist', '1'), 'delete_provisioned_functionname_doesnotexist');
    check(await del(name, 'noalias'), 'delete_provisioned_qualifier_doesnotexist');
    check(await del(name, '10'), 'delete_provisioned_version_doesnotexist');
    check(await del(name, '$LATEST'), 'delete_provisioned_latest');
    check(await del(name, '1'), 'delete_provisioned_config_doesnotexist');
    check(await put(name, '1', 0), 'put_provisioned_invalid_param_0');
    check(await put('doesnotexist', 'noalias', 1), 'put_provisioned_functionname_doesnotexist_alias');
    check(await put('doesnotexist', '1', 1), 'put_provisioned_functionname_doesnotexist_version');
    check(await put(name, 'doesnotexist', 1), 'put_provisioned_qualifier_doesnotexist');
    check(await put(name, '10', 1), 'put_provisioned_version_doesnotexist');
    check(await put(name, '$LATEST', 1), 'put_provisioned_latest');
  });

  it('test_lambda_provisioned_lifecycle: version and alias configurations exclude each other; deleting the alias deletes its configuration', async () => {
    const snap = recorded(`${API}::TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle`);
    const name = `pc-${uid()}`;
    const alias = `alias-${uid()}`;
    const check = checker(snap, pcNormaliser({ functionNames: [name], replacements: { [alias]: '<alias-name>' } }));
    await session.createPython(name);
    await session.waitActive(name);
    check(await send(new PublishVersionCommand({ FunctionName: name })), 'publish_version_result');
    check(await send(new CreateAliasCommand({ FunctionName: name, Name: alias, FunctionVersion: '1' })), 'create_alias_result');
    const put = (q: string) => send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: q, ProvisionedConcurrentExecutions: 1 }));
    check(await put('1'), 'put_provisioned_on_version');
    check(await put(alias), 'put_provisioned_on_alias_versionconflict');
    check(await send(new DeleteProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1' })), 'delete_provisioned_version');
    check(await send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1' })), 'get_provisioned_version_postdelete');
    check(await put(alias), 'put_provisioned_on_alias');
    check(await put('1'), 'put_provisioned_on_version_conflict');
    check(await send(new DeleteAliasCommand({ FunctionName: name, Name: alias })), 'delete_alias_result');
    check(await send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: alias })), 'get_provisioned_alias_postaliasdelete');
    check(await send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name })), 'list_response_postdeletes');
  });

  it('test_provisioned_concurrency_limits: more than the account can spare', async () => {
    const snap = recorded(`${API}::TestLambdaProvisionedConcurrency::test_provisioned_concurrency_limits`);
    const name = `pc-${uid()}`;
    await session.createPython(name);
    await session.waitActive(name);
    await session.lambda.send(new PublishVersionCommand({ FunctionName: name }));
    const check = checker(snap, new SnapshotNormaliser({ functionNames: [name], replacements: { '[1000]': '[<unreserved_concurrency>]', '[100]': '[<min_unreserved_concurrency>]' } }));
    const put = (n: number) => send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: n }));
    check(await put(1001), 'put_provisioned_concurrency_account_limit_exceeded');
    check(await put(901), 'put_provisioned_concurrency_below_unreserved_min_value');
  });
});

// Reports how its environment was initialised, holding it for `event.ms` ms.
const REPORTER = `exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, event.ms ?? 0));
  return { initializationType: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, version: process.env.AWS_LAMBDA_FUNCTION_VERSION };
};
`;

async function deployVersion(lambda: LambdaClient, name: string): Promise<void> {
  await lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Code: { ZipFile: await makeZip({ 'index.js': REPORTER }) }, Publish: true,
  }));
  await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
}

/** Polls GetProvisionedConcurrencyConfig (one request at a time) until READY; fails after 20 s. */
async function waitReady(lambda: LambdaClient, name: string, qualifier: string): Promise<GetProvisionedConcurrencyConfigCommandOutput> {
  const until = Date.now() + 20_000;
  for (;;) {
    const config = await lambda.send(new GetProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: qualifier }));
    if (config.Status === 'READY') return config;
    assert.ok(Date.now() < until && config.Status === 'IN_PROGRESS', `provisioned concurrency did not become READY: ${JSON.stringify(config)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('provisioned concurrency at run time', () => {
  it('initialises environments ahead, uses them first (no Init Duration), and spills over to on-demand', async () => {
    const { lambda } = session;
    const name = `pc-run-${uid()}`;
    await deployVersion(lambda, name);
    const put = await lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 2 }));
    assert.equal(put.Status, 'IN_PROGRESS');
    assert.equal(put.AllocatedProvisionedConcurrentExecutions, 0);
    const ready = await waitReady(lambda, name, '1');
    assert.equal(ready.AllocatedProvisionedConcurrentExecutions, 2);
    assert.equal(ready.AvailableProvisionedConcurrentExecutions, 2);

    const first = await invoke(lambda, name, {}, { Qualifier: '1' });
    assert.deepEqual(first.payload, { initializationType: 'provisioned-concurrency', version: '1' });
    assert.doesNotMatch(first.log, /Init Duration/, 'the init happened ahead of the invocation');

    // Three at once: two provisioned environments, one on-demand.
    const three = await Promise.all([0, 1, 2].map(() => invoke(lambda, name, { ms: 400 }, { Qualifier: '1' })));
    const types = three.map((r) => (r.payload as { initializationType: string }).initializationType).sort();
    assert.deepEqual(types, ['on-demand', 'provisioned-concurrency', 'provisioned-concurrency']);
    // $LATEST has no provisioned concurrency.
    assert.equal(((await invoke(lambda, name)).payload as { initializationType: string }).initializationType, 'on-demand');

    const listed = await lambda.send(new ListProvisionedConcurrencyConfigsCommand({ FunctionName: name }));
    assert.deepEqual(listed.ProvisionedConcurrencyConfigs?.map((c) => [c.FunctionArn?.endsWith(`:${name}:1`), c.RequestedProvisionedConcurrentExecutions, c.Status]), [[true, 2, 'READY']]);
  });

  it('is provisioned again after a restart', async () => {
    const own = await startTestServer();
    const name = `pc-restart-${uid()}`;
    try {
      await deployVersion(own.lambda, name);
      await own.lambda.send(new PutProvisionedConcurrencyConfigCommand({ FunctionName: name, Qualifier: '1', ProvisionedConcurrentExecutions: 1 }));
      await waitReady(own.lambda, name, '1');
    } finally {
      await own.stop({ keepData: true });
    }
    const again = await startTestServer({}, own.dataDir);
    try {
      await waitReady(again.lambda, name, '1');
      const out = await invoke(again.lambda, name, {}, { Qualifier: '1' });
      assert.equal((out.payload as { initializationType: string }).initializationType, 'provisioned-concurrency');
    } finally {
      await again.stop();
    }
  });
});
