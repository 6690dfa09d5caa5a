// Public face of store/: the SQLite database, the function and layer repository ports, the code blob store and
// the merged /opt trees of layers.
export { openDatabase, type Db } from './sqlite.js';
export { SqliteFunctionRepository, type FunctionRepository, type FunctionKey, type FunctionPage, type Page } from './function-repository.js';
export { CodeStore, type StoredCode } from './code-store.js';
export { ZipRejected, type ZipRejectionKind } from './zip-extract.js';
export { SqliteAsyncEventStore, type EventTarget, type NewEvent, type QueuedEvent, type QueueCounts } from './async-event-store.js';
export { SqliteLayerRepository, type LayerRepository, type LayerKey } from './layer-repository.js';
export { OptTreeStore } from './opt-tree-store.js';
export { SqliteTriggerRepository, type TriggerRepository } from './trigger-repository.js';
export { SqliteHttpApiRepository, type HttpApiRepository } from './http-api-repository.js';
