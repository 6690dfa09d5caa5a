// AWS_LAMBDA_EXEC_WRAPPER: a managed runtime (Node, Python) starts through the function's wrapper script, which
// gets the runtime's command line as its arguments and execs it; custom runtimes ignore the variable. A wrapper
// that does not exist, or is not executable, ends the runtime with exit status 127 or 126.
import { GetFunctionCommand, type Runtime, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { deployFixture } from '../helpers/functions.js';
import { invoke } from '../helpers/invoke.js';
import { type TestServer, serverPerSuite } from '../helpers/server.js';

interface Wrapped { wrappedBy: string | null; command: string | null }

describe('AWS_LAMBDA_EXEC_WRAPPER', () => {
  let server: TestServer;
  let isolated: boolean;
  serverPerSuite((s, sandboxed) => {
    server = s;
    isolated = sandboxed;
  });

  /** Where the function sees a file of its package: /var/task in the sandbox, the extracted code's host path without. */
  async function taskFile(name: string, file: string): Promise<string> {
    if (isolated) return `/var/task/${file}`;
    const fn = await server.lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const hex = Buffer.from(fn.Configuration?.CodeSha256 ?? '', 'base64').toString('hex');
    return join(server.dataDir, 'code', hex, file);
  }

  async function deployWrapped(name: string, runtime: Runtime, file = 'wrapper.sh'): Promise<void> {
    await deployFixture(server.lambda, 'exec-wrapper', name, { Runtime: runtime, Handler: 'index.handler' });
    const wrapper = await taskFile(name, file);
    await server.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { AWS_LAMBDA_EXEC_WRAPPER: wrapper } } }));
    await waitUntilFunctionUpdatedV2({ client: server.lambda, maxWaitTime: 30, minDelay: 1 }, { FunctionName: name });
  }

  it('Node: the wrapper runs with the runtime\'s command line and execs it', async () => {
    await deployWrapped('node-wrapped', 'nodejs20.x');
    const result = await invoke(server.lambda, 'node-wrapped');
    assert.equal(result.functionError, undefined, result.payloadText);
    const { wrappedBy, command } = result.payload as Wrapped;
    assert.equal(wrappedBy, 'wrapper.sh');
    assert.match(command ?? '', isolated ? /^\/var\/lang\/bin\/node \/var\/runtime\/bootstrap\.js$/ : /node \S+\/bootstrap\.js$/);
  });

  it('Python: the wrapper runs with the interpreter\'s command line and execs it', async () => {
    await deployWrapped('py-wrapped', 'python3.12');
    const result = await invoke(server.lambda, 'py-wrapped');
    assert.equal(result.functionError, undefined, result.payloadText);
    const { wrappedBy, command } = result.payload as Wrapped;
    assert.equal(wrappedBy, 'wrapper.sh');
    assert.match(command ?? '', /python3[.\d]* -u -S \S*\/bootstrap\.py$/);
  });

  it('a custom runtime ignores it', async () => {
    await deployWrapped('custom-wrapped', 'provided.al2023');
    const result = await invoke(server.lambda, 'custom-wrapped');
    assert.deepEqual(result.payload, { wrappedBy: 'none' });
  });

  it('a missing wrapper is exit status 127, a non-executable one 126, with the reason in the log', async () => {
    await deployWrapped('missing-wrapper', 'nodejs20.x', 'no-such-wrapper.sh');
    const missing = await invoke(server.lambda, 'missing-wrapper');
    assert.equal(missing.functionError, 'Unhandled');
    assert.deepEqual(missing.payload, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${/RequestId: (\S+)/.exec(missing.log)?.[1] ?? ''} Error: Runtime exited with error: exit status 127` });
    await deployWrapped('plain-file-wrapper', 'python3.12', 'not-executable.sh');
    const notExecutable = await invoke(server.lambda, 'plain-file-wrapper');
    assert.match((notExecutable.payload as { errorMessage: string }).errorMessage, /Runtime exited with error: exit status 126$/);
  });
});
