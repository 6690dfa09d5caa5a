// Versions and aliases at run time, through the real SDK against a real server: a published version keeps its
// code and configuration and runs in its own environments; aliases route by weight; versions referenced by aliases
// cannot be deleted; version numbers are never reused; deleting a function takes its versions and aliases along;
// everything survives a restart.
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, GetAliasCommand, ListAliasesCommand, ListVersionsByFunctionCommand,
  PublishVersionCommand, UpdateAliasCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2,
  waitUntilFunctionActiveV2, waitUntilPublishedVersionActive,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

let server: TestServer;

// Reports which code and configuration ran, and where.
const source = (label: string): string => `exports.handler = async (event, context) => ({
  label: ${JSON.stringify(label)},
  greeting: process.env.GREETING ?? null,
  functionVersion: context.functionVersion,
  envVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  invokedArn: context.invokedFunctionArn,
  logStream: context.logStreamName,
});
`;

const uid = (): string => randomBytes(4).toString('hex');

/** A Node function running `source(label)`, Active. */
async function deployFixtureLike(name: string, label: string): Promise<void> {
  await server.lambda.send(new CreateFunctionCommand({
    FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Code: { ZipFile: await makeZip({ 'index.js': source(label) }) },
    Environment: { Variables: { GREETING: 'hello' } },
  }));
  await waitUntilFunctionActiveV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
}

async function updateCode(name: string, label: string): Promise<void> {
  await server.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ZipFile: await makeZip({ 'index.js': source(label) }) }));
  await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });
}

async function publish(name: string): Promise<string> {
  const v = await server.lambda.send(new PublishVersionCommand({ FunctionName: name }));
  assert.ok(v.Version !== undefined);
  await waitUntilPublishedVersionActive({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name, Qualifier: v.Version });
  return v.Version;
}

async function rejection(call: Promise<unknown>): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call succeeded');
}

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
});

describe('published versions', () => {
  it('keep their code and configuration, run as their own version, and $LATEST moves on', async () => {
    const name = `ver-${uid()}`;
    await deployFixtureLike(name, 'one');
    const v1 = await publish(name);
    assert.equal(v1, '1');
    await updateCode(name, 'two');
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { GREETING: 'changed' } } }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: name });

    const one = await invoke(server.lambda, name, {}, { Qualifier: '1' });
    assert.equal(one.executedVersion, '1');
    assert.deepEqual(
      { ...(one.payload as Record<string, unknown>), logStream: undefined },
      { label: 'one', greeting: 'hello', functionVersion: '1', envVersion: '1', invokedArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}:1`, logStream: undefined },
    );
    assert.match(String((one.payload as { logStream: string }).logStream), /^\d{4}\/\d{2}\/\d{2}\/\[1\][0-9a-f]{32}$/);
    assert.match(one.log, /START RequestId: \S+ Version: 1\n/);

    const latest = await invoke(server.lambda, name);
    assert.equal(latest.executedVersion, '$LATEST');
    assert.equal((latest.payload as { label: string }).label, 'two');
    assert.equal((latest.payload as { greeting: string }).greeting, 'changed');
    assert.match(String((latest.payload as { logStream: string }).logStream), /\/\[\$LATEST\][0-9a-f]{32}$/);

    // The version still runs its own code after $LATEST changed again (its environments are its own).
    await updateCode(name, 'three');
    assert.equal(((await invoke(server.lambda, name, {}, { Qualifier: '1' })).payload as { label: string }).label, 'one');
    assert.equal(((await invoke(server.lambda, name)).payload as { label: string }).label, 'three');
  });

  it('numbers are never reused, and a version an alias references cannot be deleted', async () => {
    const name = `ver-${uid()}`;
    await deployFixtureLike(name, 'a');
    assert.equal(await publish(name), '1');
    await updateCode(name, 'b');
    assert.equal(await publish(name), '2');
    await server.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    await server.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'canary', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { 1: 0.5 } } }));

    const refused = await rejection(server.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' })));
    assert.deepEqual(refused, { name: 'ResourceConflictException', message: 'Unable to delete version because the following aliases reference it: [canary, live]', status: 409 });
    await server.lambda.send(new DeleteAliasCommand({ FunctionName: name, Name: 'live' }));
    await server.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'canary', RoutingConfig: { AdditionalVersionWeights: {} } }));
    await server.lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: '1' }));
    const gone = await rejection(invoke(server.lambda, name, {}, { Qualifier: '1' }));
    assert.equal(gone.name, 'ResourceNotFoundException');

    await updateCode(name, 'c');
    assert.equal(await publish(name), '3', 'version 1 was deleted, but its number is not handed out again');
    const versions = await server.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
    assert.deepEqual(versions.Versions?.map((v) => v.Version), ['$LATEST', '2', '3']);
  });
});

describe('aliases', () => {
  it('route invocations by weight (90/10 over 300 invocations, within a wide margin) and report the executed version', async () => {
    const name = `alias-${uid()}`;
    await deployFixtureLike(name, 'blue');
    await publish(name);
    await updateCode(name, 'green');
    await publish(name);
    await server.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { 2: 0.1 } } }));

    const counts = new Map<string, number>();
    const runs = 300;
    for (let batch = 0; batch < runs / 10; batch += 1) {
      const results = await Promise.all(Array.from({ length: 10 }, () => invoke(server.lambda, name, {}, { Qualifier: 'prod' })));
      for (const r of results) {
        const p = r.payload as { label: string; functionVersion: string; invokedArn: string };
        // The executed version, the code that ran and the context agree; the invoked ARN names the alias.
        assert.equal(p.label, r.executedVersion === '1' ? 'blue' : 'green');
        assert.equal(p.functionVersion, r.executedVersion);
        assert.ok(p.invokedArn.endsWith(`:${name}:prod`), p.invokedArn);
        counts.set(r.executedVersion ?? '', (counts.get(r.executedVersion ?? '') ?? 0) + 1);
      }
    }
    const green = counts.get('2') ?? 0;
    assert.equal((counts.get('1') ?? 0) + green, runs);
    // Expected 30 (binomial, σ ≈ 5.2): [9, 60] is more than 4σ either side.
    assert.ok(green >= 9 && green <= 60, `version 2 ran ${green} of ${runs} times`);

    // Moving the alias moves the traffic at once.
    await server.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'prod', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: {} } }));
    const moved = await invoke(server.lambda, name, {}, { Qualifier: 'prod' });
    assert.equal(moved.executedVersion, '2');
  });

  it('RevisionId preconditions on UpdateAlias; deleting the function deletes its versions and aliases', async () => {
    const name = `alias-${uid()}`;
    await deployFixtureLike(name, 'x');
    await publish(name);
    const created = await server.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'a', FunctionVersion: '1' }));
    const stale = await rejection(server.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'a', Description: 'd', RevisionId: 'not-the-revision' })));
    assert.equal(stale.name, 'PreconditionFailedException');
    assert.equal(stale.status, 412);
    const updated = await server.lambda.send(new UpdateAliasCommand({ FunctionName: name, Name: 'a', Description: 'd', RevisionId: created.RevisionId }));
    assert.notEqual(updated.RevisionId, created.RevisionId);

    await server.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    await deployFixtureLike(name, 'y');
    assert.deepEqual((await server.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }))).Versions?.map((v) => v.Version), ['$LATEST']);
    assert.deepEqual((await server.lambda.send(new ListAliasesCommand({ FunctionName: name }))).Aliases, []);
    assert.equal(await publish(name), '1', 'a new function starts its versions at 1');
  });
});

describe('persistence', () => {
  it('versions and aliases survive a restart', async () => {
    const own = await startTestServer();
    const name = `persist-${uid()}`;
    try {
      await deployFixture(own.lambda, 'echo', name);
      await own.lambda.send(new PublishVersionCommand({ FunctionName: name, Description: 'kept' }));
      await own.lambda.send(new CreateAliasCommand({ FunctionName: name, Name: 'live', FunctionVersion: '1' }));
    } finally {
      await own.stop({ keepData: true });
    }
    const again = await startTestServer({}, own.dataDir);
    try {
      const alias = await again.lambda.send(new GetAliasCommand({ FunctionName: name, Name: 'live' }));
      assert.equal(alias.FunctionVersion, '1');
      const versions = await again.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name }));
      assert.deepEqual(versions.Versions?.map((v) => [v.Version, v.Description]), [['$LATEST', ''], ['1', 'kept']]);
      const out = await invoke(again.lambda, name, { ok: true }, { Qualifier: 'live' });
      assert.equal(out.executedVersion, '1');
    } finally {
      await again.stop();
    }
  });
});
