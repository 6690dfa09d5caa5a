// `nimbus invoke <function>`: one synchronous invocation. The response payload goes to `out` byte for byte, the
// function's log tail (LogType Tail) to `err`, so `nimbus invoke fn | jq` works. Exit code 1 on a function error.
import { readFile } from 'node:fs/promises';
import { type ParsedArgs, parseArgs, requirePositionals, stringOption } from '../args.js';
import { isTty } from '../format.js';
import { CliError, connect, REMOTE_OPTIONS, REMOTE_USAGE } from '../remote.js';

export const invokeUsage = `nimbus invoke <function> [--payload JSON|@file|@-] [--qualifier Q] ${REMOTE_USAGE}`;

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `--payload '{"a":1}'`, `--payload @event.json` or `--payload @-` (stdin), like the AWS CLI's file:// and `-`. */
export async function readPayload(args: ParsedArgs): Promise<Uint8Array | undefined> {
  const raw = stringOption(args, 'payload');
  if (raw === undefined) return undefined;
  if (!raw.startsWith('@')) return Buffer.from(raw, 'utf8');
  const file = raw.slice(1);
  if (file === '-') return readStdin();
  try {
    return await readFile(file);
  } catch (e) {
    throw new CliError(`nimbus invoke: cannot read payload file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function invoke(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const args = parseArgs(argv, { values: ['payload', 'qualifier', ...REMOTE_OPTIONS], flags: [] });
  const [name = ''] = requirePositionals(args, ['function']);
  const payload = await readPayload(args);
  const qualifier = stringOption(args, 'qualifier');
  const remote = connect(args);
  try {
    const { sdk, client } = await remote.lambda();
    const res = await client.send(new sdk.InvokeCommand({
      FunctionName: name,
      LogType: 'Tail',
      ...(payload === undefined ? {} : { Payload: payload }),
      ...(qualifier === undefined ? {} : { Qualifier: qualifier }),
    }));
    if (res.LogResult !== undefined) {
      const tail = Buffer.from(res.LogResult, 'base64').toString('utf8');
      err.write(tail.endsWith('\n') || tail === '' ? tail : `${tail}\n`);
    }
    const body = res.Payload ?? new Uint8Array();
    out.write(body);
    if (isTty(out) && body.length > 0) out.write('\n');
    return res.FunctionError === undefined ? 0 : 1;
  } catch (e) {
    return remote.fail(e);
  } finally {
    remote.close();
  }
}
