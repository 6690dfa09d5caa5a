// Put/Update/Get/Delete/ListFunctionEventInvokeConfig(s): the async settings of one function qualifier, with
// AWS's validation and messages (pinned by test/integration/event-invoke-config-conformance.test.ts against the
// recorded AWS responses). Get and Delete only look the config up, so a missing function reads as a missing
// config, as on AWS; Put, Update and List check the function (and qualifier) first.
import {
  constraint, type EventInvokeConfig, EVENT_AGE_RANGE, invalidParameter, LATEST, resourceNotFound, RETRY_ATTEMPTS_RANGE, rules, validationError,
} from '../model/index.js';
import { functionArn } from '../shared/arn.js';
import type { Clock } from '../shared/clock.js';
import type { SqliteAsyncEventStore } from '../store/index.js';
import type { RequestContext } from './context.js';
import type { Destinations } from './destinations.js';
import type { FunctionResolver } from './function-resolver.js';

export interface EventInvokeConfigInput {
  readonly maximumRetryAttempts?: number;
  readonly maximumEventAgeSec?: number;
  /** `null`: the member was given without a Destination (`OnSuccess: {}`), which AWS accepts as unset. */
  readonly onSuccess?: string | null;
  readonly onFailure?: string | null;
}

export interface EventInvokeConfigView extends EventInvokeConfig {
  readonly functionArn: string;
}

/** AWS's pattern for destination ARNs (botocore `DestinationArn`), quoted in its validation message. */
const DESTINATION_PATTERN = '$|kafka://([^.]([a-zA-Z0-9\\-_.]{0,248}))|arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)';
const destinationRe = new RegExp(`^(?:${DESTINATION_PATTERN})$`);
const FUNCTION_MISSING = 'The function doesn\'t exist.';

export class EventInvokeConfigService {
  constructor(
    private readonly resolver: FunctionResolver,
    private readonly store: SqliteAsyncEventStore,
    private readonly destinations: Destinations,
    private readonly clock: Clock,
  ) {}

  put(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: EventInvokeConfigInput): EventInvokeConfigView {
    return this.write(ctx, functionName, qualifier, input, undefined);
  }

  update(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: EventInvokeConfigInput): EventInvokeConfigView {
    const { target, arn } = this.existing(ctx, functionName, qualifier);
    const current = this.store.getConfig(target);
    if (current === undefined) throw notFound(arn);
    return this.write(ctx, functionName, qualifier, input, current);
  }

  get(ctx: RequestContext, functionName: string, qualifier: string | undefined): EventInvokeConfigView {
    const { target, arn } = this.target(ctx, functionName, qualifier);
    const config = this.store.getConfig(target);
    if (config === undefined) throw notFound(arn);
    return { ...config, functionArn: arn };
  }

  delete(ctx: RequestContext, functionName: string, qualifier: string | undefined): void {
    const { target, arn } = this.target(ctx, functionName, qualifier);
    if (!this.store.deleteConfig(target)) throw notFound(arn);
  }

  list(ctx: RequestContext, functionName: string, marker: string | undefined, maxItems: number | undefined): { items: EventInvokeConfigView[]; nextMarker?: string } {
    if (maxItems !== undefined && (maxItems < 1 || maxItems > 50)) {
      throw validationError([constraint(String(maxItems), 'maxItems', maxItems < 1 ? rules.min(1) : rules.max(50))]);
    }
    const { record } = this.resolveOrMissing(ctx, functionName, undefined);
    const all = this.store.listConfigs(ctx.accountId, ctx.region, record.name)
      .map(({ qualifier, config }) => ({ ...config, functionArn: functionArn(ctx.region, ctx.accountId, record.name, qualifier) }));
    const start = marker === undefined ? 0 : Number.parseInt(Buffer.from(marker, 'base64url').toString(), 10);
    if (!Number.isInteger(start) || start < 0) throw invalidParameter('Invalid Marker: the Marker must be one returned by a previous call.');
    const end = start + (maxItems ?? 50);
    const items = all.slice(start, end);
    return end < all.length ? { items, nextMarker: Buffer.from(String(end)).toString('base64url') } : { items };
  }

  /** The config the worker applies to an event invoked as `qualifier`. */
  effective(target: { accountId: string; region: string; functionName: string; qualifier: string }): EventInvokeConfig | undefined {
    return this.store.getConfig(target);
  }

  private write(ctx: RequestContext, functionName: string, qualifier: string | undefined, input: EventInvokeConfigInput, current: EventInvokeConfig | undefined): EventInvokeConfigView {
    // 1. Shape (ValidationException, all problems at once). 2. The function and qualifier exist. 3. Something
    // is set. 4. Destinations are valid targets. 5. Store (Update merges into the current config).
    validateShape(input);
    const { target, arn, unqualified } = this.existing(ctx, functionName, qualifier);
    if (input.maximumRetryAttempts === undefined && input.maximumEventAgeSec === undefined && input.onSuccess === undefined && input.onFailure === undefined) {
      throw invalidParameter('You must specify at least one of error handling or destination setting.');
    }
    const describe = () => `DestinationConfig(onSuccess=${member('OnSuccess', input.onSuccess)}, onFailure=${member('OnFailure', input.onFailure)})`;
    for (const arnOf of [input.onSuccess, input.onFailure]) {
      if (typeof arnOf === 'string' && arnOf !== '') this.destinations.validate(ctx, arnOf, unqualified, describe);
    }
    const base: Partial<EventInvokeConfig> = current ?? {};
    const pick = <K extends keyof EventInvokeConfig>(key: K, given: EventInvokeConfig[K] | null | undefined): Partial<EventInvokeConfig> => {
      const v = given === undefined ? base[key] : given === null || given === '' ? undefined : given;
      return v === undefined ? {} : { [key]: v };
    };
    const config: EventInvokeConfig = {
      ...pick('maximumRetryAttempts', input.maximumRetryAttempts),
      ...pick('maximumEventAgeSec', input.maximumEventAgeSec),
      ...pick('onSuccess', input.onSuccess),
      ...pick('onFailure', input.onFailure),
      lastModified: this.clock.now(),
    };
    this.store.putConfig(target, config);
    return { ...config, functionArn: arn };
  }

  /** Parses the identifier and names the config it addresses, without looking the function up. */
  private target(ctx: RequestContext, functionName: string, qualifier: string | undefined) {
    const ref = this.resolver.ref(ctx, functionName, qualifier);
    const q = ref.qualifier ?? LATEST;
    const target = { accountId: ctx.accountId, region: ctx.region, functionName: ref.name, qualifier: q };
    return { target, arn: functionArn(ctx.region, ctx.accountId, ref.name, q), unqualified: functionArn(ctx.region, ctx.accountId, ref.name) };
  }

  private existing(ctx: RequestContext, functionName: string, qualifier: string | undefined) {
    this.resolveOrMissing(ctx, functionName, qualifier);
    return this.target(ctx, functionName, qualifier);
  }

  private resolveOrMissing(ctx: RequestContext, functionName: string, qualifier: string | undefined) {
    this.resolver.ref(ctx, functionName, qualifier); // validation and region errors as they are
    try {
      return this.resolver.resolve(ctx, functionName, qualifier);
    } catch (err) {
      if (err instanceof Error && err.name === 'ResourceNotFoundException') throw resourceNotFound(FUNCTION_MISSING);
      throw err;
    }
  }
}

function notFound(arn: string) {
  return resourceNotFound(`The function ${arn} doesn't have an EventInvokeConfig`);
}

/** AWS renders an absent member as `null` and a given one as `OnSuccess(destination=<arn>)`. */
function member(name: string, arn: string | null | undefined): string {
  return arn === undefined ? 'null' : `${name}(destination=${arn ?? 'null'})`;
}

function validateShape(input: EventInvokeConfigInput): void {
  const problems: string[] = [];
  const range = (v: number | undefined, field: string, r: { min: number; max: number }) => {
    if (v === undefined) return;
    if (v < r.min) problems.push(constraint(String(v), field, rules.min(r.min)));
    else if (v > r.max) problems.push(constraint(String(v), field, rules.max(r.max)));
  };
  range(input.maximumRetryAttempts, 'maximumRetryAttempts', RETRY_ATTEMPTS_RANGE);
  range(input.maximumEventAgeSec, 'maximumEventAgeInSeconds', EVENT_AGE_RANGE);
  for (const [v, field] of [[input.onSuccess, 'destinationConfig.onSuccess.destination'], [input.onFailure, 'destinationConfig.onFailure.destination']] as const) {
    if (typeof v !== 'string') continue;
    if (v.length > 350) problems.push(constraint(v, field, rules.maxLength(350)));
    else if (!destinationRe.test(v)) problems.push(constraint(v, field, rules.pattern(DESTINATION_PATTERN)));
  }
  if (problems.length > 0) throw validationError(problems);
}
