// Control-plane behaviour beyond the happy path: hostile packages are refused with AWS's errors and nothing
// lands outside the code store, resources are per region, and the health endpoint reports protections.
import {
  CreateFunctionCommand, GetFunctionConfigurationCommand, LambdaClient, ListFunctionsCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { startTestServer, TEST_CREDENTIALS, TEST_ROLE, type TestServer } from '../helpers/server.js';
import { makeRawZip, makeZip, rawSymlink } from '../helpers/zip.js';

const UNZIP_ERROR = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

describe('control API', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.stop();
  });

  async function createWith(name: string, zip: Buffer): Promise<{ name: string; message: string; status: number | undefined }> {
    try {
      await server.lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE, Code: { ZipFile: zip } }));
    } catch (err) {
      const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
      return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
    }
    throw new Error(`${name} was accepted`);
  }

  it('refuses packages that escape their directory, and writes nothing outside the code store', async () => {
    const attacks = {
      traversal: makeRawZip([{ name: '../evil.js', data: 'x' }]),
      absolute: makeRawZip([{ name: '/tmp/evil.js', data: 'x' }]),
      symlinkOut: makeRawZip([rawSymlink('index.js', '../../../../etc/passwd')]),
      throughLink: makeRawZip([rawSymlink('dir', '/tmp'), { name: 'dir/evil.js', data: 'x' }]),
      corrupt: Buffer.from('PK\u0003\u0004 this is not really a zip'),
    };
    for (const [name, zip] of Object.entries(attacks)) {
      const err = await createWith(`attack-${name.toLowerCase()}`, zip);
      assert.deepEqual(err, { name: 'InvalidParameterValueException', message: UNZIP_ERROR, status: 400 }, name);
    }
    assert.ok(!existsSync(join(server.dataDir, '..', 'evil.js')));
    assert.ok(!existsSync('/tmp/evil.js'));
    const codeDir = join(server.dataDir, 'code');
    assert.deepEqual(existsSync(codeDir) ? readdirSync(codeDir).filter((f) => f !== 'package.json') : [], [], 'no code tree was kept');
    assert.equal(readdirSync(join(server.dataDir, 'tmp')).length, 0, 'no partial extraction was left');
  });

  it('refuses a zip bomb with the unzipped-size error', async () => {
    const bomb = makeRawZip([{ name: 'big.bin', data: Buffer.alloc(1024), declaredSize: 262_144_000 }]);
    const err = await createWith('bomb', bomb);
    assert.deepEqual(err, { name: 'InvalidParameterValueException', message: 'Unzipped size must be smaller than 262144000 bytes', status: 400 });
    const empty = await createWith('empty', await makeZip({}));
    assert.equal(empty.message, 'Uploaded file must be a non-empty zip');
  });

  it('keeps functions per region, as AWS does', async () => {
    const west = new LambdaClient({ endpoint: server.url, region: 'us-west-2', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      await deployFixture(west, 'echo', 'regional');
      const westNames = (await west.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName);
      const eastNames = (await server.lambda.send(new ListFunctionsCommand({}))).Functions?.map((f) => f.FunctionName) ?? [];
      assert.deepEqual(westNames, ['regional']);
      assert.ok(!eastNames.includes('regional'));
      const arn = (await west.send(new ListFunctionsCommand({}))).Functions?.[0]?.FunctionArn;
      assert.equal(arn, 'arn:aws:lambda:us-west-2:000000000000:function:regional');
    } finally {
      west.destroy();
    }
  });

  it('runs CommonJS handlers even when the data directory sits inside an ES-module package', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'nimbus-esm-scope-'));
    writeFileSync(join(parent, 'package.json'), '{"type":"module"}');
    const scoped = await startTestServer({}, join(parent, '.nimbus'));
    try {
      await deployFixture(scoped.lambda, 'echo', 'cjs');
      assert.deepEqual((await invoke(scoped.lambda, 'cjs', { ok: 1 })).payload, { ok: 1 });
    } finally {
      await scoped.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('validates LoggingConfig, MaxItems and request sizes with AWS-style 4xx errors', async () => {
    const post = (path: string, body: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method: 'POST', body, headers });
    const badLogging = await post('/2015-03-31/functions', JSON.stringify({
      FunctionName: 'logcfg', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: TEST_ROLE,
      Code: { ZipFile: (await makeZip({ 'index.js': '' })).toString('base64') }, LoggingConfig: { LogFormat: 'Yaml' },
    }));
    assert.equal(badLogging.status, 400);
    assert.deepEqual(await badLogging.json(), {
      message: "1 validation error detected: Value 'Yaml' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]",
    });
    const badMax = await fetch(`${server.url}/2015-03-31/functions?MaxItems=abc`);
    assert.equal(badMax.status, 400);
    const hugeTags = await post(`/2017-03-31/tags/${encodeURIComponent('arn:aws:lambda:us-east-1:000000000000:function:x')}`, JSON.stringify({ Tags: { k: 'v'.repeat(2 * 1024 * 1024) } }));
    assert.equal(hugeTags.status, 413);
    assert.equal(hugeTags.headers.get('x-amzn-errortype'), 'RequestEntityTooLargeException');
    const badLogsBody = await post('/', 'not json', { 'X-Amz-Target': 'Logs_20140328.FilterLogEvents', 'Content-Type': 'application/x-amz-json-1.1' });
    assert.equal(badLogsBody.status, 400);
    const badLimit = await post('/', JSON.stringify({ logGroupName: '/aws/lambda/x', limit: 0 }), { 'X-Amz-Target': 'Logs_20140328.FilterLogEvents' });
    assert.equal(badLimit.status, 400);
    assert.equal(badLimit.headers.get('x-amzn-errortype'), 'InvalidParameterException');
  });

  it('takes Architectures with UpdateFunctionCode, as AWS does', async () => {
    await deployFixture(server.lambda, 'echo', 'arch');
    await server.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'arch', ZipFile: await makeZip({ 'index.js': 'exports.handler = async () => 1;' }), Architectures: ['arm64'] }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'arch' });
    const config = await server.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'arch' }));
    assert.deepEqual(config.Architectures, ['arm64']);
  });

  it('stores DeadLetterConfig (SQS or SNS targets), removes it with an empty TargetArn, and refuses other ARNs', async () => {
    const queue = 'arn:aws:sqs:us-east-1:000000000000:dlq';
    await deployFixture(server.lambda, 'echo', 'with-dlq', { DeadLetterConfig: { TargetArn: queue } });
    assert.deepEqual((await server.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'with-dlq' }))).DeadLetterConfig, { TargetArn: queue });
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'with-dlq', DeadLetterConfig: { TargetArn: 'arn:aws:sns:us-east-1:000000000000:alerts' } }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'with-dlq' });
    assert.equal((await server.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'with-dlq' }))).DeadLetterConfig?.TargetArn, 'arn:aws:sns:us-east-1:000000000000:alerts');
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'with-dlq', DeadLetterConfig: { TargetArn: '' } }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: 'with-dlq' });
    assert.equal((await server.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'with-dlq' }))).DeadLetterConfig, undefined);

    const refused = async (targetArn: string): Promise<string> => {
      try {
        await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'with-dlq', DeadLetterConfig: { TargetArn: targetArn } }));
      } catch (err) {
        assert.equal((err as Error).name, 'InvalidParameterValueException');
        return (err as Error).message;
      }
      throw new Error(`${targetArn} was accepted`);
    };
    assert.equal(await refused('dlq'), "Invalid dead letter queue ARN: ARNs must start with 'arn:'");
    assert.match(await refused('arn:aws:lambda:us-east-1:000000000000:function:other'), /is not an Amazon SQS queue or Amazon SNS topic ARN/);
  });

  it('answers /_nimbus/health with status and the protections actually in force', async () => {
    const res = await fetch(`${server.url}/_nimbus/health`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; protections: Record<string, string>; cgroups: Record<string, string> };
    assert.equal(body.status, 'ok');
    const p = body.protections;
    assert.ok(['cgroup2', 'process-group'].includes(p['treeKill'] ?? ''));
    // Each protection is either named by its mechanism, whose cgroup directory then exists, or 'none'.
    for (const [key, controller] of [['memoryLimit', 'memory'], ['cpuLimit', 'cpu'], ['pidsLimit', 'pids']] as const) {
      assert.ok(['cgroup-v1', 'cgroup-v2', 'none'].includes(p[key] ?? ''), key);
      if (p[key] === 'cgroup-v1') assert.ok(existsSync(body.cgroups[controller] ?? '/nonexistent'), `${key} is backed by a cgroup`);
      if (p[key] === 'cgroup-v2') assert.ok(existsSync(body.cgroups['unified'] ?? '/nonexistent'), `${key} is backed by the cgroup2 group`);
    }
    // Isolation is claimed only with a working bubblewrap (the isolation tests check what it enforces).
    assert.ok(['bubblewrap', 'none'].includes(p['filesystemIsolation'] ?? ''));
    if (!existsSync('/usr/bin/bwrap') && !existsSync('/usr/local/bin/bwrap')) assert.equal(p['filesystemIsolation'], 'none');
    assert.equal(p['user'], p['filesystemIsolation'] === 'bubblewrap' && process.getuid?.() === 0 ? 'sbx_user1051' : 'server');
  });
});
