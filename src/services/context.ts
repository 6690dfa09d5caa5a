// Per-request context every service call carries: who (account), where (region), which request.
export interface RequestContext {
  readonly accountId: string;
  readonly region: string;
  readonly requestId: string;
}
