// The layer API beyond what AWS's recordings cover: Content.Location downloads, ListLayers and ListLayerVersions
// with filters and paging, layer ARNs as LayerName, S3 content refused, `Layers` kept, replaced and removed,
// policies with account and organization principals, and the whole flow through Debian's AWS CLI v2.
import {
  AddLayerVersionPermissionCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, GetLayerVersionCommand, GetLayerVersionPolicyCommand,
  type LambdaClient, ListLayersCommand, ListLayerVersionsCommand, PublishLayerVersionCommand, type PublishLayerVersionCommandInput,
  UpdateFunctionConfigurationCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { awsCli } from '../helpers/aws-cli.js';
import { fixtureZip } from '../helpers/functions.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

let server: TestServer;
let lambda: LambdaClient;
let work: string;
const { aws, awsJson } = awsCli(() => server.url, () => work);

before(async () => {
  server = await startTestServer();
  lambda = server.lambda;
  work = await mkdtemp(path.join(tmpdir(), 'nimbus-layers-'));
});

after(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

const zipOf = (text: string): Promise<Buffer> => makeZip({ 'python/mod.py': `VALUE = ${JSON.stringify(text)}\n` });

async function publish(input: Partial<PublishLayerVersionCommandInput> & { LayerName: string }, content = 'x'): Promise<number> {
  const out = await lambda.send(new PublishLayerVersionCommand({ Content: { ZipFile: await zipOf(content) }, ...input }));
  return out.Version ?? 0;
}

/** The AWS error an SDK call fails with: its name and message. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await call;
  } catch (err) {
    return { name: (err as Error).name, message: (err as Error).message };
  }
  assert.fail('the call succeeded');
}

describe('layer API', () => {
  it('serves the published zip at Content.Location, with AWS\'s CodeSha256 and CodeSize', async () => {
    const zip = await zipOf('download me');
    await lambda.send(new PublishLayerVersionCommand({ LayerName: 'download', Content: { ZipFile: zip } }));
    const got = await lambda.send(new GetLayerVersionCommand({ LayerName: 'download', VersionNumber: 1 }));
    assert.equal(got.Content?.CodeSha256, createHash('sha256').update(zip).digest('base64'));
    assert.equal(got.Content?.CodeSize, zip.length);
    const response = await fetch(got.Content?.Location ?? '');
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), zip);
    // Members never given are left out, as AWS does (test_layer_s3_content's recording).
    assert.equal(got.CompatibleRuntimes, undefined);
    assert.equal(got.LicenseInfo, undefined);
  });

  it('lists each layer with its newest matching version, filtered and paged', async () => {
    await publish({ LayerName: 'list-a', CompatibleRuntimes: ['python3.12'], CompatibleArchitectures: ['x86_64'] });
    await publish({ LayerName: 'list-a', CompatibleRuntimes: ['nodejs20.x'], CompatibleArchitectures: ['arm64'] });
    await publish({ LayerName: 'list-b', CompatibleRuntimes: ['python3.12', 'nodejs20.x'], CompatibleArchitectures: ['x86_64', 'arm64'] });
    const latest = async (filter: { CompatibleRuntime?: 'python3.12' | 'nodejs20.x' | 'java21'; CompatibleArchitecture?: 'arm64' | 'x86_64' }) => {
      const out = await lambda.send(new ListLayersCommand(filter));
      return Object.fromEntries((out.Layers ?? []).filter((l) => l.LayerName?.startsWith('list-')).map((l) => [l.LayerName, l.LatestMatchingVersion?.Version]));
    };
    assert.deepEqual(await latest({}), { 'list-a': 2, 'list-b': 1 });
    assert.deepEqual(await latest({ CompatibleRuntime: 'python3.12' }), { 'list-a': 1, 'list-b': 1 });
    assert.deepEqual(await latest({ CompatibleRuntime: 'python3.12', CompatibleArchitecture: 'arm64' }), { 'list-b': 1 });
    assert.deepEqual(await latest({ CompatibleRuntime: 'java21' }), {});

    const all = (await lambda.send(new ListLayersCommand({}))).Layers?.map((l) => l.LayerName) ?? [];
    const paged: Array<string | undefined> = [];
    let marker: string | undefined;
    do {
      const out = await lambda.send(new ListLayersCommand({ MaxItems: 1, ...(marker === undefined ? {} : { Marker: marker }) }));
      assert.equal(out.Layers?.length, 1);
      paged.push(out.Layers?.[0]?.LayerName);
      marker = out.NextMarker;
    } while (marker !== undefined);
    assert.deepEqual(paged, all);
    assert.equal((await failure(lambda.send(new ListLayersCommand({ MaxItems: 51 })))).name, 'ValidationException');
  });

  it('lists a layer\'s versions newest first, filtered and paged, by name or by layer ARN', async () => {
    for (const runtime of ['python3.12', 'nodejs20.x', 'python3.12'] as const) await publish({ LayerName: 'versions', CompatibleRuntimes: [runtime] });
    const arn = `arn:aws:lambda:us-east-1:000000000000:layer:versions`;
    const versions = async (input: { LayerName: string; CompatibleRuntime?: 'python3.12'; MaxItems?: number; Marker?: string }) => {
      const out = await lambda.send(new ListLayerVersionsCommand(input));
      return { versions: (out.LayerVersions ?? []).map((v) => v.Version), next: out.NextMarker };
    };
    assert.deepEqual(await versions({ LayerName: 'versions' }), { versions: [3, 2, 1], next: undefined });
    assert.deepEqual(await versions({ LayerName: arn, CompatibleRuntime: 'python3.12' }), { versions: [3, 1], next: undefined });
    const first = await versions({ LayerName: 'versions', MaxItems: 2 });
    assert.deepEqual(first.versions, [3, 2]);
    assert.deepEqual(await versions({ LayerName: 'versions', MaxItems: 2, Marker: first.next ?? '' }), { versions: [1], next: undefined });
    assert.equal((await lambda.send(new GetLayerVersionCommand({ LayerName: arn, VersionNumber: 2 }))).CompatibleRuntimes?.[0], 'nodejs20.x');
  });

  it('refuses S3 content and a layer ARN of another region with clear errors', async () => {
    const s3 = await failure(lambda.send(new PublishLayerVersionCommand({ LayerName: 's3', Content: { S3Bucket: 'bucket', S3Key: 'layer.zip' } })));
    assert.deepEqual(s3, { name: 'InvalidParameterValueException', message: 'Nimbus accepts layer content as Content.ZipFile only (no S3 yet).' });
    const foreign = await failure(lambda.send(new GetLayerVersionCommand({ LayerName: 'arn:aws:lambda:eu-west-1:000000000000:layer:x', VersionNumber: 1 })));
    assert.equal(foreign.name, 'ResourceNotFoundException');
  });

  it('keeps a function\'s Layers across other updates, replaces them, removes them with [], and ignores runtime compatibility as AWS does', async () => {
    await publish({ LayerName: 'fn-layer', CompatibleRuntimes: ['python3.12'] });
    await publish({ LayerName: 'fn-layer', CompatibleRuntimes: ['python3.12'] }, 'second');
    const v1 = 'arn:aws:lambda:us-east-1:000000000000:layer:fn-layer:1';
    const v2 = 'arn:aws:lambda:us-east-1:000000000000:layer:fn-layer:2';
    await lambda.send(new CreateFunctionCommand({
      FunctionName: 'uses-layers', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Code: { ZipFile: await fixtureZip('echo') }, Layers: [v1],
    }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'uses-layers' });
    const layersOf = async () => (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'uses-layers' }))).Layers;
    const update = async (input: { Layers?: string[]; Description?: string }) => {
      await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'uses-layers', ...input }));
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: 'uses-layers' });
    };
    const size = (await lambda.send(new GetLayerVersionCommand({ LayerName: 'fn-layer', VersionNumber: 1 }))).Content?.CodeSize;
    assert.deepEqual(await layersOf(), [{ Arn: v1, CodeSize: size }]);
    await update({ Description: 'other change' });
    assert.deepEqual((await layersOf())?.map((l) => l.Arn), [v1]);
    await update({ Layers: [v2] });
    assert.deepEqual((await layersOf())?.map((l) => l.Arn), [v2]);
    await update({ Layers: [] });
    assert.equal(await layersOf(), undefined);
  });

  it('renders account and organization principals in the policy as AWS does', async () => {
    await publish({ LayerName: 'shared' });
    await lambda.send(new AddLayerVersionPermissionCommand({ LayerName: 'shared', VersionNumber: 1, StatementId: 'account', Action: 'lambda:GetLayerVersion', Principal: '123456789012' }));
    await lambda.send(new AddLayerVersionPermissionCommand({
      LayerName: 'shared', VersionNumber: 1, StatementId: 'org', Action: 'lambda:GetLayerVersion', Principal: '*', OrganizationId: 'o-abcdefghij',
    }));
    const policy = JSON.parse((await lambda.send(new GetLayerVersionPolicyCommand({ LayerName: 'shared', VersionNumber: 1 }))).Policy ?? '{}') as { Statement: unknown[] };
    const resource = 'arn:aws:lambda:us-east-1:000000000000:layer:shared:1';
    assert.deepEqual(policy.Statement, [
      { Sid: 'account', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'lambda:GetLayerVersion', Resource: resource },
      { Sid: 'org', Effect: 'Allow', Principal: '*', Action: 'lambda:GetLayerVersion', Resource: resource, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdefghij' } } },
    ]);
  });
});

describe('layers through the AWS CLI v2', () => {
  it('publish-layer-version, list-layers, list-layer-versions, create-function --layers, invoke, get-layer-version-by-arn, delete-layer-version', async () => {
    const layerZip = path.join(work, 'layer.zip');
    await writeFile(layerZip, await makeZip({ 'nodejs/node_modules/cli-lib/index.js': "exports.word = 'from the cli layer';\n" }));
    const published = await awsJson('lambda', 'publish-layer-version', '--layer-name', 'cli-layer', '--zip-file', `fileb://${layerZip}`,
      '--compatible-runtimes', 'nodejs20.x', '--compatible-architectures', 'x86_64', '--description', 'published by the CLI');
    const arn = 'arn:aws:lambda:us-east-1:000000000000:layer:cli-layer:1';
    assert.equal(published['LayerVersionArn'], arn);
    assert.equal(published['Version'], 1);

    const [listed, versions] = await Promise.all([
      awsJson('lambda', 'list-layers', '--compatible-runtime', 'nodejs20.x'),
      awsJson('lambda', 'list-layer-versions', '--layer-name', 'cli-layer'),
    ]);
    const entry = (listed['Layers'] as Array<Record<string, unknown>>).find((l) => l['LayerName'] === 'cli-layer');
    assert.equal((entry?.['LatestMatchingVersion'] as Record<string, unknown> | undefined)?.['Description'], 'published by the CLI');
    assert.deepEqual((versions['LayerVersions'] as Array<Record<string, unknown>>).map((v) => v['LayerVersionArn']), [arn]);

    const fnZip = path.join(work, 'fn.zip');
    await writeFile(fnZip, await makeZip({ 'index.js': "exports.handler = async () => require('cli-lib').word;\n" }));
    const created = await awsJson('lambda', 'create-function', '--function-name', 'cli-layered', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', TEST_ROLE, '--zip-file', `fileb://${fnZip}`, '--layers', arn);
    assert.deepEqual((created['Layers'] as Array<Record<string, unknown>>).map((l) => l['Arn']), [arn]);
    assert.equal((await aws('lambda', 'wait', 'function-active-v2', '--function-name', 'cli-layered')).code, 0);
    const out = path.join(work, 'out.json');
    await awsJson('lambda', 'invoke', '--function-name', 'cli-layered', out);
    assert.equal(JSON.parse(await readFile(out, 'utf8')), 'from the cli layer');

    assert.equal((await awsJson('lambda', 'get-layer-version-by-arn', '--arn', arn))['Description'], 'published by the CLI');
    assert.equal((await aws('lambda', 'delete-layer-version', '--layer-name', 'cli-layer', '--version-number', '1')).code, 0);
    const gone = await aws('lambda', 'get-layer-version', '--layer-name', 'cli-layer', '--version-number', '1');
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /ResourceNotFoundException.*The resource you requested does not exist\./);
  });
});
