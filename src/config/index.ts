// Public face of config/: the schema, its loader and the frozen Config type.
export { schema, type Config, type ConfigOverrides, type ConfigKey } from './schema.js';
export { loadConfig, envName } from './load.js';
export { configurationMarkdown } from './doc.js';
