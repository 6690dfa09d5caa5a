// Unit tests for config/load.ts: defaults < JSON file (NIMBUS_CONFIG) < env vars < overrides, the mechanical env
// names, coercion and range errors (NimbusError ERR_CONFIG), and the frozen result. Never reads process.env.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { envName, loadConfig } from '../../src/config/load.js';
import { schema } from '../../src/config/schema.js';
import { NimbusError } from '../../src/shared/errors.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'nimbus-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileCounter = 0;
function configFile(content: unknown): string {
  const file = path.join(dir, `config-${++fileCounter}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configError(fn: () => unknown): NimbusError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof NimbusError, `expected NimbusError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_CONFIG');
    assert.equal(err.user, true);
    return err;
  }
  assert.fail('expected loadConfig to throw');
}

describe('envName', () => {
  it('maps section and camelCase key mechanically', () => {
    assert.equal(envName('engine', 'keepAliveMs'), 'NIMBUS_ENGINE__KEEP_ALIVE_MS');
    assert.equal(envName('server', 'port'), 'NIMBUS_SERVER__PORT');
    assert.equal(envName('server', 'dataDir'), 'NIMBUS_SERVER__DATA_DIR');
    assert.equal(envName('log', 'functionLogRetentionDays'), 'NIMBUS_LOG__FUNCTION_LOG_RETENTION_DAYS');
  });
});

describe('loadConfig', () => {
  it('with an empty environment every key has its schema default', () => {
    const config = loadConfig({});
    for (const [section, keys] of Object.entries(schema)) {
      for (const [key, spec] of Object.entries(keys)) {
        assert.equal((config as unknown as Record<string, Record<string, unknown>>)[section]?.[key], spec.default, `${section}.${key}`);
      }
    }
    assert.equal(config.server.port, 4566);
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.engine.keepAliveMs, 600000);
  });

  it('the result and every section are frozen', () => {
    const config = loadConfig({});
    assert.ok(Object.isFrozen(config));
    for (const section of Object.keys(schema)) {
      assert.ok(Object.isFrozen((config as unknown as Record<string, object>)[section]), section);
    }
    assert.throws(() => {
      (config.engine as { keepAliveMs: number }).keepAliveMs = 1;
    }, TypeError);
  });

  it('reads the mechanical env var and coerces numbers', () => {
    const config = loadConfig({ NIMBUS_ENGINE__KEEP_ALIVE_MS: '1234', NIMBUS_SERVER__PORT: '0' });
    assert.equal(config.engine.keepAliveMs, 1234);
    assert.equal(config.server.port, 0);
  });

  it('reads string values verbatim', () => {
    const config = loadConfig({ NIMBUS_ENGINE__NODE_PATH: '/opt/node/bin/node', NIMBUS_LOG__LEVEL: 'debug' });
    assert.equal(config.engine.nodePath, '/opt/node/bin/node');
    assert.equal(config.log.level, 'debug');
  });

  it('accepts the short aliases NIMBUS_PORT and NIMBUS_DATA_DIR', () => {
    const config = loadConfig({ NIMBUS_PORT: '9001', NIMBUS_DATA_DIR: '/var/lib/nimbus' });
    assert.equal(config.server.port, 9001);
    assert.equal(config.server.dataDir, '/var/lib/nimbus');
  });

  it('the mechanical name wins over an alias', () => {
    const config = loadConfig({ NIMBUS_PORT: '9001', NIMBUS_SERVER__PORT: '9002' });
    assert.equal(config.server.port, 9002);
  });

  it('ignores empty env values', () => {
    assert.equal(loadConfig({ NIMBUS_PORT: '', NIMBUS_SERVER__PORT: '' }).server.port, 4566);
  });

  it('ignores unrelated env vars', () => {
    assert.equal(loadConfig({ PORT: '1', NIMBUS_ENGINE_KEEP_ALIVE_MS: '5' }).engine.keepAliveMs, 600000);
  });

  it('reads a JSON file named by NIMBUS_CONFIG', () => {
    const file = configFile({ server: { port: 7000, dataDir: '/srv/nimbus' }, engine: { keepAliveMs: 5000 } });
    const config = loadConfig({ NIMBUS_CONFIG: file });
    assert.equal(config.server.port, 7000);
    assert.equal(config.server.dataDir, '/srv/nimbus');
    assert.equal(config.engine.keepAliveMs, 5000);
    assert.equal(config.engine.initTimeoutMs, 10000);
  });

  it('env vars win over the file, overrides win over env vars', () => {
    const file = configFile({ server: { port: 7000 }, engine: { keepAliveMs: 5000, initTimeoutMs: 100 } });
    const env = { NIMBUS_CONFIG: file, NIMBUS_SERVER__PORT: '7001', NIMBUS_ENGINE__KEEP_ALIVE_MS: '6000' };
    const config = loadConfig(env, { server: { port: 7002 } });
    assert.equal(config.server.port, 7002);
    assert.equal(config.engine.keepAliveMs, 6000);
    assert.equal(config.engine.initTimeoutMs, 100);
  });

  it('overrides alone replace defaults', () => {
    const config = loadConfig({}, { engine: { keepAliveMs: 42 }, server: { host: '0.0.0.0' } });
    assert.equal(config.engine.keepAliveMs, 42);
    assert.equal(config.server.host, '0.0.0.0');
  });

  it('a non-numeric env value is ERR_CONFIG naming the key and the variable', () => {
    const err = configError(() => loadConfig({ NIMBUS_ENGINE__KEEP_ALIVE_MS: 'soon' }));
    assert.match(err.message, /engine\.keepAliveMs/);
    assert.match(err.message, /NIMBUS_ENGINE__KEEP_ALIVE_MS/);
  });

  it('a non-numeric file value is ERR_CONFIG', () => {
    const file = configFile({ server: { port: 'eighty' } });
    assert.match(configError(() => loadConfig({ NIMBUS_CONFIG: file })).message, /server\.port/);
  });

  it('values outside min/max are ERR_CONFIG', () => {
    assert.match(configError(() => loadConfig({ NIMBUS_PORT: '65536' })).message, /<= 65535/);
    assert.match(configError(() => loadConfig({ NIMBUS_PORT: '-1' })).message, />= 0/);
    configError(() => loadConfig({ NIMBUS_ENGINE__KEEP_ALIVE_MS: '0' }));
    configError(() => loadConfig({}, { log: { functionLogRetentionDays: 0 } }));
  });

  it('an unreadable or malformed config file is ERR_CONFIG with the cause attached', () => {
    const missing = path.join(dir, 'does-not-exist.json');
    const err = configError(() => loadConfig({ NIMBUS_CONFIG: missing }));
    assert.match(err.message, /does-not-exist\.json/);
    assert.ok(err.cause instanceof Error);
    const bad = configFile('{ not json');
    assert.ok(configError(() => loadConfig({ NIMBUS_CONFIG: bad })).cause instanceof SyntaxError);
  });

  it('does not read process.env when an environment is passed', () => {
    const saved = process.env['NIMBUS_SERVER__PORT'];
    process.env['NIMBUS_SERVER__PORT'] = '1111';
    try {
      assert.equal(loadConfig({}).server.port, 4566);
    } finally {
      if (saved === undefined) delete process.env['NIMBUS_SERVER__PORT'];
      else process.env['NIMBUS_SERVER__PORT'] = saved;
    }
  });

  it('every schema key has a description', () => {
    for (const [section, keys] of Object.entries(schema)) {
      for (const [key, spec] of Object.entries(keys)) assert.ok(spec.description.length > 0, `${section}.${key}`);
    }
  });
});
