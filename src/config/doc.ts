// Renders docs/configuration.md from the schema, so the documentation cannot drift from the code.
import { envName } from './load.js';
import { type ConfigKey, type ConfigValue, schema } from './schema.js';

export function configurationMarkdown(): string {
  const rows = Object.entries(schema).flatMap(([section, keys]) =>
    Object.entries(keys as Record<string, ConfigKey<ConfigValue>>).map(([key, spec]) => {
      const vars = [...(spec.aliases ?? []), envName(section, key)].map((v) => `\`${v}\``).join(', ');
      return `| \`${section}.${key}\` | \`${JSON.stringify(spec.default)}\` | ${vars} | ${spec.description} |`;
    }),
  );
  return [
    '# Configuration',
    '',
    '<!-- Generated from src/config/schema.ts by `node scripts/gen-config-doc.mjs`; a unit test checks it is current. -->',
    '',
    'Every setting has a default. Later sources win: defaults < JSON file named by `NIMBUS_CONFIG` (`{"engine": {"keepAliveMs": 60000}}`)',
    '< environment variables < command-line flags (`nimbus serve --host/--port/--data-dir`). Values are validated once at start-up.',
    '',
    '| key | default | environment | meaning |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
