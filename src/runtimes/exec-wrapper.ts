// AWS_LAMBDA_EXEC_WRAPPER ("Modifying the runtime environment", docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html):
// when a function's environment names a wrapper script, a managed runtime's start-up runs that script with the
// runtime's own command line as its arguments, and the script is expected to `exec "$@"` (after changing the
// environment, adding flags, starting an agent…). Custom runtimes ignore the variable, as on Lambda.
//
// Like the shell bootstrap of AWS's managed runtimes, a small `sh` checks the wrapper first: one that does not
// exist ends the runtime with exit status 127, one that is not executable with 126, each with a line on stderr
// that lands in the function's log.
import type { RuntimeLaunch } from './registry.js';

export const EXEC_WRAPPER_VARIABLE = 'AWS_LAMBDA_EXEC_WRAPPER';

const CHECK_AND_EXEC = [
  'if [ ! -f "$0" ]; then echo "$0: does not exist" >&2; exit 127; fi',
  'if [ ! -x "$0" ]; then echo "$0: is not an executable" >&2; exit 126; fi',
  'exec "$0" "$@"',
].join('\n');

/** The launch that runs `wrapper` with the runtime's command and arguments; unchanged without a wrapper. */
export function withExecWrapper(launch: RuntimeLaunch, wrapper: string | undefined): RuntimeLaunch {
  if (wrapper === undefined || wrapper === '') return launch;
  return { ...launch, command: '/bin/sh', args: ['-c', CHECK_AND_EXEC, wrapper, launch.command, ...launch.args] };
}
