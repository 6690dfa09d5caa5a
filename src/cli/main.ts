#!/usr/bin/env node
// The `nimbus` command: dispatches to a subcommand and maps its outcome to an exit code (0 ok, 1 failure,
// 2 usage error). Every subcommand except `serve` and `doctor` talks to a running server over HTTP only, and only
// `serve` and `doctor` load server code (once they run), so the others start fast.
import { UsageError } from './args.js';
import { deploy, deployUsage } from './commands/deploy.js';
import { doctor, doctorUsage } from './commands/doctor.js';
import { invoke, invokeUsage } from './commands/invoke.js';
import { logs, logsUsage } from './commands/logs.js';
import { ls, lsUsage } from './commands/ls.js';
import { queue, queueUsage } from './commands/queue.js';
import { rm, rmUsage } from './commands/rm.js';
import { serve, serveUsage } from './commands/serve.js';
import { CliError } from './remote.js';

/** A command returns its exit code, or nothing for 0. */
type Command = (argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<number | void>;

const commands: Record<string, { run: Command; usage: string; summary: string }> = {
  serve: { run: serve, usage: serveUsage, summary: 'run a Nimbus server in this process' },
  deploy: { run: deploy, usage: deployUsage, summary: 'zip a directory and create or update a function' },
  invoke: { run: invoke, usage: invokeUsage, summary: 'invoke a function: result on stdout, log tail on stderr' },
  logs: { run: logs, usage: logsUsage, summary: "print a function's logs" },
  ls: { run: ls, usage: lsUsage, summary: 'list functions' },
  rm: { run: rm, usage: rmUsage, summary: 'delete functions' },
  queue: { run: queue, usage: queueUsage, summary: 'show the async event queue: waiting, retrying, in flight, dropped (by reason)' },
  doctor: { run: doctor, usage: doctorUsage, summary: 'check this host: which protections Nimbus can enforce, and what to install or enable' },
};

function usage(): string {
  return [
    'Usage:',
    ...Object.values(commands).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Remote commands take --endpoint URL (default $NIMBUS_ENDPOINT or http://127.0.0.1:4566) and --region',
    '(default $AWS_REGION or us-east-1). The AWS CLI works too: aws lambda ... --endpoint-url URL.',
  ].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 1 : 0;
  }
  const command = commands[name];
  if (command === undefined) {
    process.stderr.write(`nimbus: unknown command '${name}'\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: ${command.usage}\n`);
    return 0;
  }
  try {
    return (await command.run(rest, process.stdout, process.stderr)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`nimbus ${name}: ${err.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (err instanceof CliError) {
      process.stderr.write(`${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`nimbus ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
