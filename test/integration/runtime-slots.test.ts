// Pre-started runtime slots (engine/runtime-slots.ts): a cold start takes a runtime process that was started before
// its function existed, and the function must not be able to tell — its environment, working directory, code at
// /var/task (read-only), layers at /opt, memory limit, stdin and runtime identity are what a runtime started for it
// has. Functions a slot cannot serve (variables read only at process start) start their own runtime. Nothing is left
// behind: no mounts, no processes.
import { LambdaClient, PublishLayerVersionCommand, type Runtime } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { eventually, invoke, type InvokeResult } from '../helpers/invoke.js';
import { spawnServer } from '../helpers/server-process.js';
import { serverPerSuite, startTestServer, TEST_CREDENTIALS, type TestServer } from '../helpers/server.js';
import { makeZip } from '../helpers/zip.js';

interface SlotStats { available: boolean; ready: number; readyByCommand: Record<string, number>; handedOut: number }

async function slotStats(server: TestServer): Promise<SlotStats> {
  const health = (await (await fetch(`${server.url}/_nimbus/health`)).json()) as { environments: { runtimeSlots: SlotStats } };
  return health.environments.runtimeSlots;
}

/**
 * Waits until at least `n` slots of a runtime command (`node`, `python3…`) are ready (they start in the background,
 * one at a time, after a kind's first cold start).
 */
async function slotsReady(server: TestServer, command: 'node' | 'python', n = 1): Promise<void> {
  const until = Date.now() + 15_000;
  const count = (stats: SlotStats) => Object.entries(stats.readyByCommand).filter(([name]) => name.startsWith(command)).reduce((sum, [, k]) => sum + k, 0);
  while (count(await slotStats(server)) < n) {
    if (Date.now() > until) assert.fail(`no pre-started runtime became ready: ${JSON.stringify(await slotStats(server))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Invokes a function's first (cold) invocation and says whether it ran in a pre-started runtime. */
async function coldInvoke(server: TestServer, name: string, event: unknown = {}): Promise<{ result: InvokeResult; slot: boolean }> {
  const before = (await slotStats(server)).handedOut;
  const result = await invoke(server.lambda, name, event);
  return { result, slot: (await slotStats(server)).handedOut === before + 1 };
}

const NODE_PROBE = `
const fs = require('fs');
exports.handler = async (event) => {
  if (event.allocateMb) { const keep = []; for (let i = 0; i < event.allocateMb; i++) keep.push(Buffer.alloc(1 << 20, 1)); return keep.length; }
  let write;
  try { fs.writeFileSync('/var/task/new-file', 'x'); write = 'ok'; } catch (err) { write = err.code; }
  return {
    cwd: process.cwd(), files: fs.readdirSync('.').sort(), write, stdin: fs.readlinkSync('/proc/self/fd/0'),
    name: process.env.AWS_LAMBDA_FUNCTION_NAME, memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, own: process.env.OWN_SETTING,
    exec: process.env.AWS_EXECUTION_ENV, init: process.env.AWS_LAMBDA_INITIALIZATION_TYPE, stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    slotMarker: process.env._NIMBUS_SLOT ?? null, layer: fs.existsSync('/opt/layer.txt') ? fs.readFileSync('/opt/layer.txt', 'utf8') : null,
    preloaded: globalThis.preloaded ?? null,
  };
};
`;

const PY_PROBE = `import os, sys

def handler(event, context):
    return {"cwd": os.getcwd(), "first_path": sys.path[0], "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            "own": os.environ.get("OWN_SETTING"), "slot_marker": os.environ.get("_NIMBUS_SLOT"), "text": "\\u00e9t\\u00e9"}
`;

interface NodeProbe {
  cwd: string; files: string[]; write: string; stdin: string; name: string; memory: string; own: string; exec: string; init: string; stream: string;
  slotMarker: string | null; layer: string | null; preloaded: boolean | null;
}

describe('pre-started runtime slots', () => {
  let server: TestServer;
  serverPerSuite((s, sandboxed) => {
    server = s;
    assert.ok(sandboxed, 'these tests need the bubblewrap sandbox as root (scripts/setup.sh --test installs it)');
  });

  it('health says pre-started runtimes are available, before any has started', async () => {
    assert.deepEqual(await slotStats(server), { available: true, ready: 0, readyByCommand: {}, handedOut: 0 });
  });

  async function deployNode(name: string, extra: Record<string, unknown> = {}): Promise<void> {
    await deployFixture(server.lambda, 'echo', name, {
      Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE, [`only-in-${name}.txt`]: name }) },
      Environment: { Variables: { OWN_SETTING: `setting of ${name}` } },
      ...extra,
    });
  }

  it('a Node cold start runs in a pre-started runtime exactly as in one started for it', async () => {
    await deployNode('slot-node-first');
    await invoke(server.lambda, 'slot-node-first'); // the kind's first cold start: slots start after it
    await slotsReady(server, 'node');
    await deployNode('slot-node-second', { MemorySize: 256 });
    const { result, slot } = await coldInvoke(server, 'slot-node-second');
    assert.ok(slot, 'the cold start took a pre-started runtime');
    assert.equal(result.functionError, undefined, result.payloadText);
    const probe = result.payload as NodeProbe;
    assert.deepEqual(
      { cwd: probe.cwd, files: probe.files, write: probe.write, stdin: probe.stdin, slotMarker: probe.slotMarker, layer: probe.layer },
      { cwd: '/var/task', files: ['index.js', 'only-in-slot-node-second.txt'], write: 'EROFS', stdin: '/dev/null', slotMarker: null, layer: null },
    );
    assert.deepEqual(
      { name: probe.name, memory: probe.memory, own: probe.own, exec: probe.exec, init: probe.init },
      { name: 'slot-node-second', memory: '256', own: 'setting of slot-node-second', exec: 'AWS_Lambda_nodejs20.x', init: 'on-demand' },
    );
    assert.match(result.log, /REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms/);
    assert.match(probe.stream, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
  });

  it("enforces the function's own memory limit on a pre-started runtime", async () => {
    await slotsReady(server, 'node');
    await deployNode('slot-node-oom', { MemorySize: 128 });
    const { result, slot } = await coldInvoke(server, 'slot-node-oom', { allocateMb: 400 });
    assert.ok(slot);
    assert.equal(result.functionError, 'Unhandled');
    assert.equal((result.payload as { errorType: string }).errorType, 'Runtime.OutOfMemory', result.payloadText);
  });

  it("shows the function's layers at /opt", async () => {
    const layer = await server.lambda.send(new PublishLayerVersionCommand({ LayerName: 'slot-layer', Content: { ZipFile: await makeZip({ 'layer.txt': 'from the layer' }) } }));
    await slotsReady(server, 'node');
    await deployNode('slot-node-layer', { Layers: [layer.LayerVersionArn ?? ''] });
    const { result, slot } = await coldInvoke(server, 'slot-node-layer');
    assert.ok(slot);
    assert.equal((result.payload as NodeProbe).layer, 'from the layer');
  });

  it('a function with variables read at process start (NODE_OPTIONS) starts its own runtime, which honours them', async () => {
    await slotsReady(server, 'node');
    await deployFixture(server.lambda, 'echo', 'slot-node-options', {
      Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE, 'pre.js': 'globalThis.preloaded = true;\n' }) },
      Environment: { Variables: { NODE_OPTIONS: '--require /var/task/pre.js' } },
    });
    const { result, slot } = await coldInvoke(server, 'slot-node-options');
    assert.equal(slot, false);
    assert.equal((result.payload as NodeProbe).preloaded, true);
  });

  it('Python: one pre-started interpreter serves python3.11 and python3.12 functions, each as its own runtime', async () => {
    const zip = await makeZip({ 'app.py': PY_PROBE });
    const deploy = (name: string, runtime: Runtime) => deployFixture(server.lambda, 'echo', name, {
      Runtime: runtime, Handler: 'app.handler', Code: { ZipFile: zip }, Environment: { Variables: { OWN_SETTING: name } },
    });
    await deploy('slot-py-first', 'python3.12');
    await invoke(server.lambda, 'slot-py-first');
    for (const [name, runtime, text] of [['slot-py-312', 'python3.12', '"été"'], ['slot-py-311', 'python3.11', '"\\u00e9t\\u00e9"']] as const) {
      await slotsReady(server, 'python');
      await deploy(name, runtime);
      const { result, slot } = await coldInvoke(server, name);
      assert.ok(slot, `${name} took a pre-started runtime`);
      assert.deepEqual(result.payload, { cwd: '/var/task', first_path: '/var/task', name, own: name, slot_marker: null, text: 'été' });
      // Non-ASCII is written raw by python3.12's runtime client and escaped by python3.11's, as on AWS.
      assert.ok(result.payloadText.includes(`"text": ${text}`), result.payloadText);
    }
  });
});

describe('pre-started runtime slots leave nothing behind', () => {
  it('stopping the server unmounts every handed-over code tree and ends every slot process', async () => {
    const server = await startTestServer();
    const dataDir = server.dataDir;
    try {
      await deployFixture(server.lambda, 'echo', 'slot-cleanup-a', { Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE }) } });
      await invoke(server.lambda, 'slot-cleanup-a');
      await slotsReady(server, 'node');
      await deployFixture(server.lambda, 'echo', 'slot-cleanup-b', { Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE }) } });
      assert.ok((await coldInvoke(server, 'slot-cleanup-b')).slot);
      assert.ok(mountsUnder(dataDir).length > 0, 'the handoff mounts exist while the server runs');
    } finally {
      await server.stop({ keepData: true });
    }
    assert.deepEqual(mountsUnder(dataDir), []);
    assert.ok(await eventually(() => processesMentioning(dataDir).length === 0), `left running: ${processesMentioning(dataDir).join('; ')}`);
  });
});

describe('pre-started runtime slots after a crash', () => {
  it("a server killed with SIGKILL leaves no mounts: its reaper detaches them, and the next server on the data directory starts clean", async () => {
    const first = await spawnServer();
    const { dataDir } = first;
    const lambda = new LambdaClient({ endpoint: first.url, region: 'us-east-1', credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    try {
      await deployFixture(lambda, 'echo', 'crash-a', { Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE }) } });
      await invoke(lambda, 'crash-a');
      await deployFixture(lambda, 'echo', 'crash-b', { Code: { ZipFile: await makeZip({ 'index.js': NODE_PROBE }) } });
      assert.ok(await eventually(() => mountsUnder(dataDir).length > 0, 10_000), 'slots prepared their mounts');
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await exited;
      assert.ok(await eventually(() => mountsUnder(dataDir).length === 0, 10_000), `left mounted: ${mountsUnder(dataDir).join(', ')}`);
      const second = await startTestServer({}, dataDir);
      try {
        assert.equal((await invoke(second.lambda, 'crash-b')).functionError, undefined);
      } finally {
        await second.stop();
      }
      assert.deepEqual(mountsUnder(dataDir), []);
    } finally {
      lambda.destroy();
      first.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => line.split(' ')[4] ?? '').filter((point) => point.startsWith(dir));
}

function processesMentioning(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone
    }
  }
  return found;
}
