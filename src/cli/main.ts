#!/usr/bin/env node
// The `nimbus` command. Every subcommand except `serve` talks to a running server over HTTP only.
import { UsageError } from './args.js';
import { serve, serveUsage } from './commands/serve.js';

type Command = (argv: readonly string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<void>;

const commands: Record<string, { run: Command; usage: string }> = {
  serve: { run: serve, usage: serveUsage },
};

function usage(): string {
  return ['Usage:', ...Object.values(commands).map((c) => `  ${c.usage}`), '', 'Remote commands take --endpoint URL (default $NIMBUS_ENDPOINT or http://127.0.0.1:4566).'].join('\n');
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
    return 1;
  }
  try {
    await command.run(rest, process.stdout, process.stderr);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`nimbus ${name}: ${err.message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`nimbus ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
