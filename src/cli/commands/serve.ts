// `nimbus serve`: starts a server in this process and stops it cleanly on SIGINT/SIGTERM. The only command that
// loads server code, and only once it runs, so the other commands and `--help` start fast.
import { type ParsedArgs, parseArgs, stringOption } from '../args.js';

export const serveUsage = 'nimbus serve [--host 127.0.0.1] [--port 4566] [--data-dir DIR]';

export async function serve(argv: readonly string[], out: NodeJS.WritableStream): Promise<void> {
  const args: ParsedArgs = parseArgs(argv, { values: ['host', 'port', 'data-dir'], flags: [] });
  const [{ loadConfig }, { startNimbus }] = await Promise.all([import('../../config/index.js'), import('../../main/index.js')]);
  const host = stringOption(args, 'host');
  const port = stringOption(args, 'port');
  const dataDir = stringOption(args, 'data-dir');
  const config = loadConfig(process.env, {
    server: {
      ...(host === undefined ? {} : { host }),
      ...(port === undefined ? {} : { port: Number(port) }),
      ...(dataDir === undefined ? {} : { dataDir }),
    },
  });
  const nimbus = await startNimbus(config).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE') throw err;
    throw new Error(`${config.server.host}:${config.server.port} is already in use (another Nimbus or LocalStack?); stop it or pick another --port`);
  });
  out.write(
    `Nimbus ${nimbus.url} (data: ${nimbus.dataDir})\n` +
      `  AWS CLI: aws lambda list-functions --endpoint-url ${nimbus.url}\n` +
      `  SDK:     new LambdaClient({ endpoint: '${nimbus.url}', region: 'us-east-1' })\n` +
      `  Health:  ${nimbus.url}/_nimbus/health\n`,
  );
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      nimbus.logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void nimbus.stop().then(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // A bug must not leave environments running without their server: stop them (briefly), then exit non-zero.
    const onFatal = (err: unknown) => {
      nimbus.logger.fatal({ err }, 'uncaught error; stopping every environment and exiting');
      const deadline = setTimeout(() => process.exit(1), 3000);
      void nimbus.stop().finally(() => {
        clearTimeout(deadline);
        process.exit(1);
      });
    };
    process.once('uncaughtException', onFatal);
    process.once('unhandledRejection', onFatal);
  });
}
