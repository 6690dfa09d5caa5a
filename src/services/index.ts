// Public face of services/: the use cases the API (and later triggers) call.
export { FunctionService, type CreateInput, type UpdateConfigInput, type PublishInput, type VersionView, type EnvironmentRetirer, DEFAULT_PAGE_SIZE } from './function-service.js';
export { AliasService, type AliasInput } from './alias-service.js';
export { InvokeService, type InvokeRequest, type InvokeResult, type InvocationType } from './invoke-service.js';
export { AccountService, type AccountSettings } from './account-service.js';
export type { RequestContext } from './context.js';
export { ZIPPED_LIMIT_BYTES, UNZIPPED_LIMIT_BYTES } from './code-intake.js';
export { LogService, type FilterInput } from './log-service.js';
export { ConcurrencyService, type ConcurrencyLimits } from './concurrency-service.js';
export { LayerService, type PublishLayerRequest, type Page, DEFAULT_LAYER_PAGE_SIZE } from './layer-service.js';
export { FunctionUrlService, urlArn } from './function-url-service.js';
export { PolicyService } from './policy-service.js';
export { HttpApiService, type CreateApiInput, type IntegrationInput, type StageInput } from './http-api-service.js';
