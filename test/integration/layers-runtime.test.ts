// Layers at run time: a function's layers appear at /opt (read-only in the sandbox), merged in order with later
// layers winning, and the runtimes find what Lambda's do there: Node's require() in /opt/nodejs/node_modules,
// Python's import in /opt/python, a custom runtime's /opt/bootstrap. A function pinned to a layer version
// keeps its content when newer versions are published, when the version is deleted, and across a restart
// (the code collector keeps it). Without the sandbox (engine.isolation=none) the runtimes are pointed at the
// layers' host directory instead.
import {
  DeleteLayerVersionCommand, GetLayerVersionCommand, type LambdaClient, PublishLayerVersionCommand, PublishVersionCommand, UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deployFixture, fixtureDir } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { isSandboxed, startTestServer, type TestServer } from '../helpers/server.js';
import { makeZip, type ZipContent } from '../helpers/zip.js';

/** A shared library for both languages, as users package one: nodejs/node_modules/<pkg> and python/<module>. */
function libraryLayer(tag: string, extra: Record<string, ZipContent> = {}): Promise<Buffer> {
  return makeZip({
    'nodejs/node_modules/greeter/index.js': `exports.greet = (who) => 'hello ' + who + ' from ${tag}';\n`,
    'python/greeter.py': `def greet(who):\n    return "hello " + who + " from ${tag}"\n`,
    ...extra,
  });
}

const NODE_HANDLER = `const fs = require('node:fs');
exports.handler = async (event) => {
  const out = { greeting: require('greeter').greet(event.who), resolved: require.resolve('greeter') };
  if (event.extra) out.extra = require(event.extra).value;
  if (event.writeOpt) { try { fs.writeFileSync(process.env.LAYER_PROBE_DIR + '/x', 'x'); out.write = 'ok'; } catch (err) { out.write = err.code; } }
  return out;
};
`;
const PYTHON_HANDLER = 'import greeter\n\ndef handler(event, context):\n    return {"greeting": greeter.greet(event["who"]), "file": greeter.__file__}\n';

interface NodeResult { greeting: string; resolved: string; extra?: string; write?: string }

async function publish(lambda: LambdaClient, name: string, zip: Buffer): Promise<string> {
  const out = await lambda.send(new PublishLayerVersionCommand({ LayerName: name, Content: { ZipFile: zip } }));
  return out.LayerVersionArn ?? '';
}

async function setLayers(lambda: LambdaClient, fn: string, layers: string[]): Promise<void> {
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: fn, Layers: layers }));
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 20, minDelay: 1 }, { FunctionName: fn });
}

async function deployNode(server: TestServer, name: string, layers: string[]): Promise<void> {
  await deployFixture(server.lambda, 'echo', name, { Code: { ZipFile: await makeZip({ 'index.js': NODE_HANDLER }) }, Layers: layers, Environment: { Variables: { LAYER_PROBE_DIR: '/opt' } } });
}

async function deployPython(server: TestServer, name: string, layers: string[]): Promise<void> {
  await deployFixture(server.lambda, 'echo', name, { Runtime: 'python3.12', Handler: 'app.handler', Code: { ZipFile: await makeZip({ 'app.py': PYTHON_HANDLER }) }, Layers: layers });
}

/** A provided.al2023 function whose package has only the handler: the bootstrap comes from a layer. */
async function deployCustom(server: TestServer, name: string): Promise<void> {
  const bootstrap = readFileSync(join(fixtureDir('provided-shell'), 'bootstrap'));
  const runtimeLayer = await publish(server.lambda, `shell-runtime-${name}`, await makeZip({ bootstrap: { content: bootstrap, mode: 0o755 } }));
  const handler = readFileSync(join(fixtureDir('provided-shell'), 'function.sh'));
  await deployFixture(server.lambda, 'echo', name, {
    Runtime: 'provided.al2023', Handler: 'function.handler', Code: { ZipFile: await makeZip({ 'function.sh': handler }) }, Layers: [runtimeLayer],
  });
}

async function nodeResult(server: TestServer, fn: string, event: Record<string, unknown> = {}): Promise<NodeResult> {
  const result = await invoke(server.lambda, fn, { who: 'node', ...event });
  assert.equal(result.functionError, undefined, result.payloadText);
  return result.payload as NodeResult;
}

describe('layers in the sandbox', () => {
  let server: TestServer;
  let isolated: boolean;
  before(async () => {
    server = await startTestServer();
    isolated = await isSandboxed(server);
  });
  after(async () => {
    await server.stop();
  });

  it('lets a Node and a Python function use a shared library from one layer, read-only at /opt', async () => {
    const lib = await publish(server.lambda, 'greeter', await libraryLayer('v1'));
    await Promise.all([deployNode(server, 'node-lib', [lib]), deployPython(server, 'py-lib', [lib])]);
    const node = await nodeResult(server, 'node-lib', { writeOpt: true });
    assert.equal(node.greeting, 'hello node from v1');
    const py = await invoke(server.lambda, 'py-lib', { who: 'python' });
    assert.equal(py.functionError, undefined, py.payloadText);
    const { greeting, file } = py.payload as { greeting: string; file: string };
    assert.equal(greeting, 'hello python from v1');
    if (isolated) {
      assert.equal(node.resolved, '/opt/nodejs/node_modules/greeter/index.js');
      assert.equal(file, '/opt/python/greeter.py');
      assert.ok(['EROFS', 'EACCES'].includes(node.write ?? ''), `/opt is read-only (${node.write})`);
    } else {
      assert.ok(node.resolved.startsWith(server.dataDir), node.resolved);
      assert.ok(file.startsWith(server.dataDir), file);
    }
  });

  it('runs a provided.al2023 function whose bootstrap comes from a layer', async () => {
    await deployCustom(server, 'custom-from-layer');
    const result = await invoke(server.lambda, 'custom-from-layer', { hello: 'layer' });
    assert.equal(result.functionError, undefined, result.payloadText);
    assert.deepEqual((result.payload as { event: unknown }).event, { hello: 'layer' });
  });

  it('merges layers in order: a later layer overrides an earlier one, and reordering retires the environment', async () => {
    const a = await publish(server.lambda, 'layer-a', await libraryLayer('a', { 'nodejs/node_modules/only-a/index.js': "exports.value = 'only in a';\n" }));
    const b = await publish(server.lambda, 'layer-b', await libraryLayer('b'));
    await deployNode(server, 'merged', [a, b]);
    const merged = await nodeResult(server, 'merged', { extra: 'only-a' });
    assert.deepEqual([merged.greeting, merged.extra], ['hello node from b', 'only in a']);
    await setLayers(server.lambda, 'merged', [b, a]);
    assert.equal((await nodeResult(server, 'merged')).greeting, 'hello node from a');
    await setLayers(server.lambda, 'merged', []);
    const none = await invoke(server.lambda, 'merged', { who: 'node' });
    assert.equal(none.functionError, 'Unhandled', 'without layers the library is gone');
    assert.match(none.payloadText, /Cannot find module 'greeter'/);
  });

  it('keeps a published function version on the layers it was published with', async () => {
    const one = await publish(server.lambda, 'versioned', await libraryLayer('layer for version 1'));
    await deployNode(server, 'versioned-fn', [one]);
    const published = await server.lambda.send(new PublishVersionCommand({ FunctionName: 'versioned-fn' }));
    assert.deepEqual(published.Layers?.map((l) => l.Arn), [one]);
    await setLayers(server.lambda, 'versioned-fn', [await publish(server.lambda, 'versioned', await libraryLayer('layer for $LATEST'))]);
    assert.equal((await nodeResult(server, 'versioned-fn')).greeting, 'hello node from layer for $LATEST');
    const v1 = await invoke(server.lambda, 'versioned-fn', { who: 'node' }, { Qualifier: published.Version ?? '' });
    assert.equal((v1.payload as NodeResult).greeting, 'hello node from layer for version 1', v1.payloadText);
  });

  it('keeps a function on the layer version it names: a newer version, a deleted version and a restart change nothing', async () => {
    const v1 = await publish(server.lambda, 'pinned', await libraryLayer('pinned v1'));
    await deployNode(server, 'pinned-fn', [v1]);
    const v2 = await publish(server.lambda, 'pinned', await libraryLayer('pinned v2'));
    assert.equal((await nodeResult(server, 'pinned-fn')).greeting, 'hello node from pinned v1');
    await deployNode(server, 'follows-v2', [v2]);
    assert.equal((await nodeResult(server, 'follows-v2')).greeting, 'hello node from pinned v2');

    // A version nobody uses goes at the next start; the one a function uses stays, deleted or not.
    const orphan = await publish(server.lambda, 'orphan', await libraryLayer('orphan'));
    const orphanSha = Buffer.from((await server.lambda.send(new GetLayerVersionCommand({ LayerName: 'orphan', VersionNumber: 1 }))).Content?.CodeSha256 ?? '', 'base64').toString('hex');
    assert.ok(orphan.endsWith(':orphan:1'));
    await server.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'orphan', VersionNumber: 1 }));
    await server.lambda.send(new DeleteLayerVersionCommand({ LayerName: 'pinned', VersionNumber: 1 }));
    assert.equal((await nodeResult(server, 'pinned-fn')).greeting, 'hello node from pinned v1');

    const dataDir = server.dataDir;
    assert.ok(existsSync(join(dataDir, 'blobs', `${orphanSha}.zip`)), 'a deleted layer version\'s package stays until the next start');
    await server.stop({ keepData: true });
    server = await startTestServer({}, dataDir);
    assert.equal((await nodeResult(server, 'pinned-fn')).greeting, 'hello node from pinned v1');
    assert.equal(existsSync(join(dataDir, 'blobs', `${orphanSha}.zip`)), false, 'the unused layer package was collected');
  });
});

describe('layers without the sandbox (engine.isolation=none)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ engine: { isolation: 'none' } });
  });
  after(async () => {
    await server.stop();
  });

  it('points Node, Python and custom runtimes at the layers\' host directory', async () => {
    const lib = await publish(server.lambda, 'greeter', await libraryLayer('host'));
    const other = await publish(server.lambda, 'other', await makeZip({ 'nodejs/node_modules/other/index.js': "exports.value = 'other';\n" }));
    await Promise.all([deployNode(server, 'node-host', [lib, other]), deployPython(server, 'py-host', [lib, other]), deployCustom(server, 'custom-host')]);
    const node = await nodeResult(server, 'node-host', { extra: 'other' });
    assert.equal(node.greeting, 'hello node from host');
    assert.equal(node.extra, 'other');
    assert.ok(node.resolved.startsWith(join(server.dataDir, 'opt')), `${node.resolved} is in the merged tree`);
    const py = await invoke(server.lambda, 'py-host', { who: 'python' });
    assert.equal((py.payload as { greeting: string }).greeting, 'hello python from host', py.payloadText);
    const custom = await invoke(server.lambda, 'custom-host', { n: 1 });
    assert.deepEqual((custom.payload as { event: unknown }).event, { n: 1 }, custom.payloadText);
  });
});
