// Public face of api/: the Lambda REST API server.
export { createApiServer, type ApiDeps, type ApiServer } from './server.js';
export type { HealthSource } from './operations/nimbus.js';
