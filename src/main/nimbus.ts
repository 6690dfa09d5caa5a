// The composition root: the only place that knows every module. It opens the store, builds the engine and
// services, starts the API server, and owns orderly shutdown. Keep it thin.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createApiServer } from '../api/index.js';
import type { Config } from '../config/index.js';
import { Engine, RuntimeSlots } from '../engine/index.js';
import { TriggerGateway } from '../gateway/index.js';
import { createLogger, FunctionLogStore, type Logger } from '../observe/index.js';
import { ProcessSandbox } from '../sandbox/index.js';
import { AccountService, AliasService, ConcurrencyService, FunctionService, FunctionUrlService, HttpApiService, InvokeService, LayerService, LogService, PolicyService, ProvisionedConcurrencyService, UNZIPPED_LIMIT_BYTES } from '../services/index.js';
import { type AsyncParts, startAsync } from './async.js';
import { systemClock } from '../shared/clock.js';
import { parseCredentialList } from '../shared/sigv4-verifier.js';
import { CodeStore, openDatabase, OptTreeStore, SqliteFunctionRepository, SqliteHttpApiRepository, SqliteLayerRepository, SqliteTriggerRepository } from '../store/index.js';
import { lockDataDir } from './data-dir-lock.js';

export const VERSION = '0.1.0';

export interface RunningNimbus {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logger: Logger;
  /** Stops accepting requests, lets in-flight invocations finish (grace period), stops every environment, closes the store. */
  stop(): Promise<void>;
}

export async function startNimbus(config: Config, logger: Logger = createLogger(config.log.level)): Promise<RunningNimbus> {
  const dataDir = resolve(config.server.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    return await assemble(config, logger, dataDir, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

async function assemble(config: Config, logger: Logger, dataDir: string, unlock: () => void): Promise<RunningNimbus> {
  // First: it may refuse the configuration, and then nothing else should have been opened.
  const sandbox = await ProcessSandbox.create({
    isolation: config.engine.isolation === 'none' ? 'none' : 'auto', stateDir: join(dataDir, 'sandbox'), network: config.engine.network === 'none' ? 'none' : 'host',
    // Function code and merged layers, which pre-started runtime slots are handed (engine/runtime-slots.ts).
    ...(config.engine.runtimeSlots > 0 ? { handOff: [CodeStore.treesDir(dataDir), OptTreeStore.treesDir(dataDir)] } : {}),
  });
  const db = openDatabase(join(dataDir, 'nimbus.db'));
  const repo = new SqliteFunctionRepository(db);
  // CodeStore's limit is inclusive; AWS's is "smaller than" 262144000 bytes.
  const code = new CodeStore(dataDir, { maxUnzippedBytes: UNZIPPED_LIMIT_BYTES - 1 });
  await code.sweepTemp();
  code.writeScopeBoundary();
  const logStore = new FunctionLogStore(join(dataDir, 'logs.db'), config.log.functionLogRetentionDays * 86_400_000, (err) =>
    logger.error({ err }, 'function log events could not be stored and were dropped'),
  );
  const host = { nodePath: config.engine.nodePath || process.execPath };
  const engine = new Engine(
    {
      sandbox, logs: logStore, clock: systemClock, host,
      initTimeoutMs: config.engine.initTimeoutMs,
      freezeDelayMs: config.engine.freezeDelayMs,
      slots: new RuntimeSlots(sandbox, host, systemClock, { min: config.engine.runtimeSlots, max: Math.max(config.engine.runtimeSlots, config.engine.runtimeSlotsMax) }),
    },
    {
      keepAliveMs: config.engine.keepAliveMs,
      memoryBudgetMb: config.engine.memoryBudgetMb || Math.floor((totalmem() * 0.8) / (1024 * 1024)),
      admissionWaitMs: config.engine.admissionWaitMs,
      scaleUpPer10s: config.engine.scaleUpPer10s,
      busyLimit: config.engine.busyPerCore * availableParallelism(),
      scaleOutWaitMs: config.engine.scaleOutWaitMs,
    },
  );
  const layers = new LayerService(new SqliteLayerRepository(db), code, new OptTreeStore(dataDir, code), systemClock);
  const functions = new FunctionService(repo, code, engine, systemClock, layers);
  const concurrency = new ConcurrencyService(repo, {
    accountLimit: config.account.concurrentExecutions, minUnreserved: config.account.minUnreservedConcurrency,
  });
  await functions.reconcile();
  const asyncParts: AsyncParts = startAsync(db, functions, config.async, logger);
  const invoker = new InvokeService(functions, code, engine, concurrency, layers, asyncParts.queue);
  const provisioned = new ProvisionedConcurrencyService(repo, invoker, concurrency, systemClock);
  await provisioned.reconcile();
  asyncParts.worker(invoker);
  const startedAt = Date.now();
  const triggerRepo = new SqliteTriggerRepository(db);
  const urls = new FunctionUrlService(repo, triggerRepo, systemClock);
  const policies = new PolicyService(repo, triggerRepo);
  const httpApis = new HttpApiService(new SqliteHttpApiRepository(db), systemClock);
  const triggers = new TriggerGateway({
    urls, policies, httpApis, invoker, credentials: parseCredentialList(config.gateway.iamCredentials), accountId: config.account.accountId, logger,
  });

  const api = createApiServer({
    functions,
    aliases: new AliasService(repo, (record, alias, version) => provisioned.aliasDeleted(record, alias, version)),
    concurrency,
    provisioned,
    layers,
    invoker,
    eventInvokeConfigs: asyncParts.configs,
    urls,
    policies,
    httpApis,
    triggers,
    account: new AccountService(repo, concurrency),
    logs: new LogService(logStore),
    logger,
    accountId: config.account.accountId,
    defaultRegion: config.account.defaultRegion,
    health: {
      health: () => ({
        status: 'ok', version: VERSION, uptimeSec: Math.round((Date.now() - startedAt) / 1000),
        dataDir, store: 'sqlite', protections: sandbox.protections, cgroups: sandbox.cgroups, environments: engine.stats(), async: asyncParts.queue.stats(),
      }),
    },
  });
  const server = api.server;
  server.listen(config.server.port, config.server.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${port}`;
  logger.info({ url, dataDir, protections: sandbox.protections }, 'nimbus listening');
  const unavailable = sandbox.isolationUnavailable;
  if (unavailable !== undefined && unavailable !== 'disabled') {
    logger.warn({ reason: unavailable }, 'functions run WITHOUT filesystem isolation: they see the host\'s files and run as this server\'s user (`nimbus doctor` says what to install)');
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // 1. No new connections; the async worker claims no more events. 2. In-flight invocations (async
      // deliveries too) finish (or fail once the grace period ends; a failed delivery stays queued) and their
      // responses are written. 3. Remaining keep-alive connections close. 4. The stores close.
      const closed = new Promise((r) => server.close(r));
      server.closeIdleConnections();
      const deliveriesDone = asyncParts.stop();
      await engine.shutdown(config.server.shutdownGraceMs);
      await deliveriesDone;
      sandbox.close();
      await api.whenIdle();
      server.closeAllConnections();
      await closed;
      logStore.close();
      db.close();
      unlock();
      logger.info('nimbus stopped');
    })();
    return stopping;
  };
  return { url, port, dataDir, logger, stop };
}
