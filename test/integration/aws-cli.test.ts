// The whole function lifecycle through Debian's AWS CLI v2 (/usr/bin/aws, 2.9.19) pointed at Nimbus with
// --endpoint-url, as a user would drive it: create, wait, get (and download the code), list with paging, update
// configuration and code with the waiters, invoke (Tail logs, DryRun), tags, account settings, delete, and errors.
// Each CLI call costs about a second of Python start-up, so the flow keeps their number down.
import { DeleteFunctionCommand, ListTagsCommand } from '@aws-sdk/client-lambda';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AWS, awsCli } from '../helpers/aws-cli.js';
import { deployFixture, fixtureZip } from '../helpers/functions.js';
import { startTestServer, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

let server: TestServer;
let work: string;
const { aws, awsJson } = awsCli(() => server.url, () => work, REGION);

function sha256Base64(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'nimbus-cli-'));
  server = await startTestServer();
});

after(async () => {
  await server.stop();
  await rm(work, { recursive: true, force: true });
});

describe('AWS CLI v2 (Debian) against Nimbus', () => {
  it('is installed at /usr/bin/aws', () => {
    assert.ok(existsSync(AWS), `${AWS} is missing: Debian's AWS CLI v2 is needed. \`npm test\` installs it (scripts/setup.sh --test runs apt-get install awscli).`);
  });

  it('drives a function through its whole lifecycle', async () => {
    assert.ok(existsSync(AWS), `${AWS} is missing; \`npm test\` installs it (scripts/setup.sh --test).`);
    const name = `cli-echo-${process.pid}`;
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    const zipPath = path.join(work, 'echo.zip');
    const zip = await fixtureZip('echo');
    await writeFile(zipPath, zip);

    // create-function, and a refused runtime (in parallel: independent).
    const [created, badRuntime] = await Promise.all([
      awsJson('lambda', 'create-function', '--function-name', name, '--runtime', 'nodejs20.x', '--handler', 'index.handler',
        '--role', TEST_ROLE, '--zip-file', `fileb://${zipPath}`),
      aws('lambda', 'create-function', '--function-name', `${name}-bad`, '--runtime', 'nodejs99.x', '--handler', 'index.handler',
        '--role', TEST_ROLE, '--zip-file', `fileb://${zipPath}`),
    ]);
    assert.equal(created['State'], 'Pending');
    assert.equal(created['StateReasonCode'], 'Creating');
    assert.equal(created['FunctionArn'], arn);
    assert.equal(created['CodeSha256'], sha256Base64(zip));
    assert.equal(created['CodeSize'], zip.length);
    assert.notEqual(badRuntime.code, 0);
    assert.match(badRuntime.stderr, /InvalidParameterValueException/);
    assert.ok(
      badRuntime.stderr.includes("Value nodejs99.x at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2] or be a valid ARN"),
      badRuntime.stderr,
    );

    assert.equal((await aws('lambda', 'wait', 'function-active-v2', '--function-name', name)).code, 0);

    // get-function: Active, and Code.Location serves exactly the uploaded zip.
    const got = await awsJson('lambda', 'get-function', '--function-name', name);
    const config = got['Configuration'] as Record<string, unknown>;
    assert.equal(config['State'], 'Active');
    assert.equal(config['LastUpdateStatus'], 'Successful');
    const code = got['Code'] as { RepositoryType: string; Location: string };
    assert.equal(code.RepositoryType, 'S3');
    const download = await fetch(code.Location);
    assert.equal(download.status, 200);
    const downloaded = Buffer.from(await download.arrayBuffer());
    assert.equal(sha256Base64(downloaded), config['CodeSha256']);
    assert.deepEqual(downloaded, zip);

    // list-functions, whole and one item at a time (a second function, deployed through the SDK, makes two pages).
    const other = `cli-other-${process.pid}`;
    await deployFixture(server.lambda, 'echo', other);
    const [listed, page1, settings] = await Promise.all([
      awsJson('lambda', 'list-functions'),
      awsJson('lambda', 'list-functions', '--max-items', '1'),
      awsJson('lambda', 'get-account-settings'),
    ]);
    const names = (listed['Functions'] as Array<{ FunctionName: string }>).map((f) => f.FunctionName).sort();
    assert.deepEqual(names, [other, name].sort());
    assert.equal((page1['Functions'] as unknown[]).length, 1);
    assert.equal(typeof page1['NextToken'], 'string');
    const page2 = await awsJson('lambda', 'list-functions', '--max-items', '1', '--starting-token', String(page1['NextToken']));
    assert.equal((page2['Functions'] as unknown[]).length, 1);
    assert.equal(page2['NextToken'], undefined);
    const paged = [...(page1['Functions'] as Array<{ FunctionName: string }>), ...(page2['Functions'] as Array<{ FunctionName: string }>)];
    assert.deepEqual(paged.map((f) => f.FunctionName).sort(), [other, name].sort());
    const limit = settings['AccountLimit'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(limit).sort(), ['CodeSizeUnzipped', 'CodeSizeZipped', 'ConcurrentExecutions', 'TotalCodeSize', 'UnreservedConcurrentExecutions']);
    assert.equal((settings['AccountUsage'] as Record<string, unknown>)['FunctionCount'], 2);
    await server.lambda.send(new DeleteFunctionCommand({ FunctionName: other }));

    // update-function-configuration → InProgress, then the waiter.
    const updated = await awsJson('lambda', 'update-function-configuration', '--function-name', name, '--timeout', '7',
      '--memory-size', '256', '--environment', 'Variables={GREETING=hello-cli}', '--description', 'updated by the CLI test');
    assert.equal(updated['LastUpdateStatus'], 'InProgress');
    assert.equal(updated['Timeout'], 7);
    assert.equal(updated['MemorySize'], 256);
    assert.deepEqual(updated['Environment'], { Variables: { GREETING: 'hello-cli' } });
    assert.equal(updated['Description'], 'updated by the CLI test');
    assert.notEqual(updated['RevisionId'], config['RevisionId']);
    assert.equal((await aws('lambda', 'wait', 'function-updated-v2', '--function-name', name)).code, 0);

    // update-function-code with a handler that logs and reads the new environment.
    const newZip = await makeZip({
      'index.js': "exports.handler = async (event) => {\n  console.log('cli invoke', JSON.stringify(event));\n  return { echo: event, greeting: process.env.GREETING };\n};\n",
    });
    const newZipPath = path.join(work, 'v2.zip');
    await writeFile(newZipPath, newZip);
    const codeUpdated = await awsJson('lambda', 'update-function-code', '--function-name', name, '--zip-file', `fileb://${newZipPath}`);
    assert.equal(codeUpdated['LastUpdateStatus'], 'InProgress');
    assert.equal(codeUpdated['CodeSha256'], sha256Base64(newZip));
    assert.equal((await aws('lambda', 'wait', 'function-updated-v2', '--function-name', name)).code, 0);

    // invoke with Tail logs, and a DryRun.
    const outFile = path.join(work, 'out.json');
    const [invoked, dry] = await Promise.all([
      awsJson('lambda', 'invoke', '--function-name', name, '--cli-binary-format', 'raw-in-base64-out',
        '--payload', '{"hello":"cli"}', '--log-type', 'Tail', outFile),
      awsJson('lambda', 'invoke', '--function-name', name, '--invocation-type', 'DryRun', path.join(work, 'dry.json')),
    ]);
    assert.equal(invoked['StatusCode'], 200);
    assert.equal(invoked['ExecutedVersion'], '$LATEST');
    assert.equal(invoked['FunctionError'], undefined);
    assert.deepEqual(JSON.parse(await readFile(outFile, 'utf8')), { echo: { hello: 'cli' }, greeting: 'hello-cli' });
    const log = Buffer.from(String(invoked['LogResult']), 'base64').toString('utf8');
    const lines = log.split('\n');
    const start = lines.find((l) => l.startsWith('START RequestId: '));
    assert.match(start ?? '', /^START RequestId: [0-9a-f-]{36} Version: \$LATEST$/);
    const requestId = (start ?? '').split(' ')[2] ?? '';
    assert.ok(lines.some((l) => l.includes(`\t${requestId}\tINFO\tcli invoke {"hello":"cli"}`)), log);
    assert.ok(lines.includes(`END RequestId: ${requestId}`), log);
    assert.match(lines.find((l) => l.startsWith('REPORT ')) ?? '', new RegExp(`^REPORT RequestId: ${requestId}\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\tMemory Size: 256 MB\tMax Memory Used: \\d+ MB\t`));
    assert.equal(dry['StatusCode'], 204);

    // tag-resource, list-tags, untag-resource.
    assert.equal((await aws('lambda', 'tag-resource', '--resource', arn, '--tags', 'team=nimbus,stage=test')).code, 0);
    assert.deepEqual((await awsJson('lambda', 'list-tags', '--resource', arn))['Tags'], { team: 'nimbus', stage: 'test' });
    assert.equal((await aws('lambda', 'untag-resource', '--resource', arn, '--tag-keys', 'stage')).code, 0);
    assert.deepEqual((await server.lambda.send(new ListTagsCommand({ Resource: arn }))).Tags, { team: 'nimbus' });

    // delete-function, then get-function fails the AWS way.
    assert.equal((await aws('lambda', 'delete-function', '--function-name', name)).code, 0);
    const missing = await aws('lambda', 'get-function', '--function-name', name);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
    assert.ok(missing.stderr.includes(`Function not found: ${arn}`), missing.stderr);
  });

  it('publishes versions, waits for them, and routes an alias', async () => {
    assert.ok(existsSync(AWS), `${AWS} is missing; \`npm test\` installs it (scripts/setup.sh --test).`);
    const name = `cli-ver-${process.pid}`;
    await deployFixture(server.lambda, 'echo', name);
    try {
      // update-function-code --publish answers with the new version; the waiters settle it.
      const zipPath = path.join(work, 'ver.zip');
      await writeFile(zipPath, await fixtureZip('hello'));
      const published = await awsJson('lambda', 'update-function-code', '--function-name', name, '--zip-file', `fileb://${zipPath}`, '--publish');
      assert.equal(published['Version'], '1');
      assert.equal(published['FunctionArn'], `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:1`);
      const [waited, updated] = await Promise.all([
        aws('lambda', 'wait', 'published-version-active', '--function-name', name, '--qualifier', '1'),
        aws('lambda', 'wait', 'function-updated-v2', '--function-name', name),
      ]);
      assert.equal(waited.code, 0, waited.stderr);
      assert.equal(updated.code, 0, updated.stderr);

      const alias = await awsJson('lambda', 'create-alias', '--function-name', name, '--name', 'live', '--function-version', '1',
        '--routing-config', 'AdditionalVersionWeights={}');
      assert.equal(alias['AliasArn'], `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}:live`);
      const outFile = path.join(work, 'alias-out.json');
      const [invoked, versions] = await Promise.all([
        awsJson('lambda', 'invoke', '--function-name', name, '--qualifier', 'live', outFile),
        awsJson('lambda', 'list-versions-by-function', '--function-name', name),
      ]);
      assert.equal(invoked['ExecutedVersion'], '1');
      assert.deepEqual((versions['Versions'] as Array<{ Version: string }>).map((v) => v.Version), ['$LATEST', '1']);
    } finally {
      await server.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    }
  });
});
