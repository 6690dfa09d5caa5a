// `nimbus rm <function>...`: deletes each function (or one version with --qualifier), reporting each on `out`.
// A missing function does not stop the others; the exit code is 1 if any deletion failed.
import { parseArgs, requirePositionals, stringOption } from '../args.js';
import { CliError, connect, REMOTE_OPTIONS, REMOTE_USAGE, ServerUnreachable } from '../remote.js';

export const rmUsage = `nimbus rm <function>... [--qualifier VERSION] ${REMOTE_USAGE}`;

export async function rm(argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const args = parseArgs(argv, { values: ['qualifier', ...REMOTE_OPTIONS], flags: [] });
  const names = requirePositionals(args, ['function'], true);
  const qualifier = stringOption(args, 'qualifier');
  const remote = connect(args);
  let failed = 0;
  try {
    const { sdk, client } = await remote.lambda();
    for (const name of names) {
      try {
        await client.send(new sdk.DeleteFunctionCommand({ FunctionName: name, ...(qualifier === undefined ? {} : { Qualifier: qualifier }) }));
        out.write(`deleted ${name}${qualifier === undefined ? '' : `:${qualifier}`}\n`);
      } catch (e) {
        try {
          remote.fail(e);
        } catch (mapped) {
          // Unreachable server or a non-AWS failure: the rest would fail the same way.
          if (!(mapped instanceof CliError) || mapped instanceof ServerUnreachable) throw mapped;
          err.write(`${mapped.message}\n`);
          failed++;
        }
      }
    }
    return failed === 0 ? 0 : 1;
  } finally {
    remote.close();
  }
}
