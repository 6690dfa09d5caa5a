// Loads the configuration once: defaults < JSON file (NIMBUS_CONFIG) < environment < explicit overrides (flags),
// validates it against the schema and freezes it. Nothing outside config/ reads process.env for settings.
import { readFileSync } from 'node:fs';
import { NimbusError } from '../shared/errors.js';
import { type Config, type ConfigKey, type ConfigOverrides, type ConfigValue, schema } from './schema.js';

/** `keepAliveMs` in section `engine` → `NIMBUS_ENGINE__KEEP_ALIVE_MS`. */
export function envName(section: string, key: string): string {
  return `NIMBUS_${section.toUpperCase()}__${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function coerce(section: string, key: string, spec: ConfigKey<ConfigValue>, raw: unknown, source: string): ConfigValue {
  const where = `${section}.${key} (from ${source})`;
  if (typeof spec.default === 'number') {
    const n = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isFinite(n)) throw new NimbusError('ERR_CONFIG', `${where} must be a number, got ${JSON.stringify(raw)}`, { user: true });
    if (spec.min !== undefined && n < spec.min) throw new NimbusError('ERR_CONFIG', `${where} must be >= ${spec.min}`, { user: true });
    if (spec.max !== undefined && n > spec.max) throw new NimbusError('ERR_CONFIG', `${where} must be <= ${spec.max}`, { user: true });
    return n;
  }
  if (typeof spec.default === 'boolean') {
    if (raw === true || raw === 'true' || raw === '1') return true;
    if (raw === false || raw === 'false' || raw === '0') return false;
    throw new NimbusError('ERR_CONFIG', `${where} must be true or false`, { user: true });
  }
  const text = String(raw);
  if (spec.choices !== undefined && !spec.choices.includes(text)) {
    throw new NimbusError('ERR_CONFIG', `${where} must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(text)}`, { user: true });
  }
  return text;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: ConfigOverrides = {}): Config {
  let file: Record<string, Record<string, unknown>> = {};
  const path = env['NIMBUS_CONFIG'];
  if (path) {
    try {
      file = JSON.parse(readFileSync(path, 'utf8')) as typeof file;
    } catch (cause) {
      throw new NimbusError('ERR_CONFIG', `cannot read config file ${path}`, { user: true, cause });
    }
  }
  const out: Record<string, Record<string, ConfigValue>> = {};
  for (const [section, keys] of Object.entries(schema)) {
    const values: Record<string, ConfigValue> = {};
    for (const [key, spec] of Object.entries(keys as Record<string, ConfigKey<ConfigValue>>)) {
      let value: ConfigValue = spec.default;
      const fromFile = file[section]?.[key];
      if (fromFile !== undefined) value = coerce(section, key, spec, fromFile, path ?? 'file');
      for (const name of [...(spec.aliases ?? []), envName(section, key)]) {
        const raw = env[name];
        if (raw !== undefined && raw !== '') value = coerce(section, key, spec, raw, name);
      }
      const flag = (overrides as Record<string, Record<string, unknown> | undefined>)[section]?.[key];
      if (flag !== undefined) value = coerce(section, key, spec, flag, 'command line');
      values[key] = value;
    }
    out[section] = Object.freeze(values);
  }
  return Object.freeze(out) as unknown as Config;
}
