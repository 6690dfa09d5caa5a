// Public face of store/: the SQLite database, the function repository port and the code blob store.
export { openDatabase, type Db } from './sqlite.js';
export { SqliteFunctionRepository, type FunctionRepository, type FunctionKey, type FunctionPage, type Page } from './function-repository.js';
export { CodeStore, type StoredCode } from './code-store.js';
export { ZipRejected, type ZipRejectionKind } from './zip-extract.js';
export { SqliteAsyncEventStore, type EventTarget, type NewEvent, type QueuedEvent, type QueueCounts } from './async-event-store.js';
