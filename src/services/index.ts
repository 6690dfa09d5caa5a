// Public face of services/: the use cases the API (and later triggers) call.
export { FunctionService, type CreateInput, type UpdateConfigInput, type PublishInput, type VersionView, type EnvironmentRetirer, DEFAULT_PAGE_SIZE } from './function-service.js';
export { AliasService, type AliasInput, type AliasDeleted } from './alias-service.js';
export { InvokeService, type InvokeRequest, type InvokeResult, type InvocationType } from './invoke-service.js';
export { AccountService, type AccountSettings } from './account-service.js';
export type { RequestContext } from './context.js';
export { ZIPPED_LIMIT_BYTES, UNZIPPED_LIMIT_BYTES } from './code-intake.js';
export { LogService, type FilterInput } from './log-service.js';
export { type EventAcceptor } from './invoke-service.js';
export { AsyncEventQueue, type QueueStats } from './async-queue.js';
export { AsyncWorker, type AsyncWorkerOptions, type Invoker } from './async-worker.js';
export { Destinations, LambdaDestination, type DestinationTarget } from './destinations.js';
export { EventInvokeConfigService, type EventInvokeConfigInput, type EventInvokeConfigView } from './event-invoke-config-service.js';
export { ConcurrencyService, type ConcurrencyLimits } from './concurrency-service.js';
export { LayerService, type PublishLayerRequest, type Page, DEFAULT_LAYER_PAGE_SIZE } from './layer-service.js';
export { ProvisionedConcurrencyService, type ProvisionedView } from './provisioned-service.js';
export { FunctionUrlService, urlArn } from './function-url-service.js';
export { PolicyService } from './policy-service.js';
export { HttpApiService, type CreateApiInput, type IntegrationInput, type StageInput } from './http-api-service.js';
