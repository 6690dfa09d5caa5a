// The one configuration schema: every key with its default, unit-bearing name and a one-line description.
// docs/configuration.md is generated from this table (`node scripts/gen-config-doc.mjs`) and a test checks it.

export type ConfigValue = string | number | boolean;

export interface ConfigKey<T extends ConfigValue> {
  readonly default: T;
  readonly description: string;
  /** Extra env var names accepted besides the mechanical NIMBUS_<SECTION>__<KEY>. */
  readonly aliases?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** For strings: the only accepted values. */
  readonly choices?: readonly string[];
}

export const schema = {
  server: {
    host: { default: '127.0.0.1', description: 'Interface the API listens on.', aliases: ['NIMBUS_HOST'] },
    port: { default: 4566, description: 'TCP port of the API (0 picks a free port).', aliases: ['NIMBUS_PORT'], min: 0, max: 65535 },
    dataDir: { default: '.nimbus', description: 'Directory holding the SQLite database, code blobs and logs.', aliases: ['NIMBUS_DATA_DIR'] },
    shutdownGraceMs: { default: 10000, description: 'How long shutdown waits for in-flight invocations before failing them.', min: 0 },
  },
  account: {
    accountId: { default: '000000000000', description: 'AWS account id used in ARNs.', aliases: ['NIMBUS_ACCOUNT_ID'] },
    defaultRegion: { default: 'us-east-1', description: 'Region used when a request carries no SigV4 credential scope.', aliases: ['NIMBUS_REGION'] },
    concurrentExecutions: {
      default: 1000,
      description: 'Account concurrency limit per region (AWS\'s default quota): invocations beyond it are throttled with 429. Reported by GetAccountSettings.',
      aliases: ['NIMBUS_CONCURRENCY_LIMIT'],
      min: 1,
    },
    minUnreservedConcurrency: {
      default: 100,
      description: 'Concurrency that reserved concurrency may not take from the account (AWS keeps 100 unreserved).',
      min: 0,
    },
  },
  engine: {
    keepAliveMs: { default: 600000, description: 'Idle time after which a warm execution environment is stopped.', min: 1 },
    initTimeoutMs: { default: 10000, description: 'Longest an environment may take from spawn to its first request for work.', min: 1 },
    nodePath: { default: '', description: 'Node binary for nodejs runtimes (empty: the one running Nimbus).' },
    memoryBudgetMb: {
      default: 0,
      description: 'Host memory that execution environments may hold in total (each its MemorySize, from start to stop); a new one that does not fit first stops idle environments, then waits `engine.admissionWaitMs`, then is refused with 429. 0: 80% of the host\'s memory.',
      min: 0,
    },
    freezeDelayMs: {
      default: 2,
      description: 'How long an idle environment stays thawed before it is frozen (as Lambda freezes idle environments). A next invocation within it skips the freeze and thaw; 0 freezes at once.',
      min: 0,
    },
    scaleUpPer10s: {
      default: 1000,
      description: 'New execution environments each function may start per 10 seconds, refilled continuously (AWS\'s concurrency scaling rate); beyond it invocations that need a new environment get 429. 0: unlimited.',
      min: 0,
    },
    busyPerCore: {
      default: 4,
      description: 'Busy execution environments per CPU core beyond which starting more adds no throughput for short invocations: past it, an invocation whose version has busy environments first waits up to `engine.scaleOutWaitMs` for one of them before it starts a new one. 0: always scale out at once.',
      min: 0,
    },
    scaleOutWaitMs: {
      default: 20,
      description: 'Longest an invocation waits for a busy environment of its version to free up when the host is saturated (see `engine.busyPerCore`) before it starts a new one.',
      min: 0,
    },
    runtimeSlots: {
      default: 2,
      description: 'Pre-started runtime processes kept ready per kind of runtime (e.g. nodejs20.x) once a function of that kind has cold-started; a cold start takes one and only loads its function into it. Needs root and the bubblewrap sandbox. 0: every cold start starts its runtime.',
      min: 0,
    },
    runtimeSlotsMax: {
      default: 8,
      description: 'Most pre-started runtime processes a kind keeps ready after a burst of cold starts (the number asked for in the last 10 s, at least `engine.runtimeSlots`).',
      min: 0,
    },
    admissionWaitMs: { default: 1000, description: 'Longest an invocation waits for host memory (see engine.memoryBudgetMb) before it is refused with 429.', min: 0 },
    isolation: {
      default: 'auto',
      description: 'Sandbox functions with bubblewrap (Lambda\'s filesystem layout, own PID namespace, unprivileged user): `auto` when the host can, `none` never.',
      aliases: ['NIMBUS_ISOLATION'],
      choices: ['auto', 'none'],
    },
    network: {
      default: 'host',
      description: 'Network of execution environments: `host` (functions reach the network, as on Lambda) or `none` (a private namespace per environment, no network at all; the Runtime API is relayed in). `none` needs the sandbox and socat; without them Nimbus refuses to start.',
      aliases: ['NIMBUS_NETWORK'],
      choices: ['host', 'none'],
    },
  },
  async: {
    retryDelayScale: { default: 1, description: 'Multiplies async retry delays (1: about 1 and 2 minutes after function errors, as on Lambda; 0.001 for development and tests).', min: 0 },
    maxConcurrentDeliveries: { default: 16, description: 'Async events delivered at once by the queue worker.', min: 1 },
    droppedRetentionDays: { default: 7, description: 'Dropped async events (retries or event age exhausted) are kept this long for `nimbus queue`, then deleted.', min: 0 },
    pollIntervalMs: { default: 1000, description: 'How often the queue worker looks for async events whose retry became due (new events wake it at once).', min: 1 },
  },
  gateway: {
    iamCredentials: {
      default: '',
      description: 'Callers that AuthType AWS_IAM function URLs accept: `ACCESS_KEY_ID:SECRET[,ACCESS_KEY_ID:SECRET...]`, checked by SigV4 signature (empty: every signed request is refused).',
      aliases: ['NIMBUS_IAM_CREDENTIALS'],
    },
  },
  log: {
    level: { default: 'info', description: 'Platform log level (trace, debug, info, warn, error, fatal, silent).', aliases: ['NIMBUS_LOG_LEVEL'] },
    functionLogRetentionDays: { default: 7, description: 'Function log events older than this are deleted.', min: 1 },
  },
} as const satisfies Record<string, Record<string, ConfigKey<ConfigValue>>>;

type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : never;
export type Config = {
  readonly [S in keyof typeof schema]: { readonly [K in keyof (typeof schema)[S]]: Widen<(typeof schema)[S][K] extends ConfigKey<infer V> ? V : never> };
};
export type ConfigOverrides = { [S in keyof Config]?: { [K in keyof Config[S]]?: Config[S][K] } };
