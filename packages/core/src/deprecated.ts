/**
 * Names `@mcpool/core` exported before 0.2 that moved to
 * `@mcpool/core/internal` or were renamed. They keep working for one minor
 * version; each says where its replacement is.
 */
import { first } from './call/call.js';
import { CatalogIndex as CatalogIndexClass } from './catalog/catalog-index.js';
import { defaultRoundRobin as roundRobinBalancer } from './pool/round-robin.js';
import {
  ResourceSubscriptions as ResourceSubscriptionsClass,
  sharedResourceSubscriptions,
} from './pool/subscriptions.js';
import { classifyError as classify, isUnreachableError, isUnsent } from './spec/failure.js';
import {
  abortReason as reasonOf,
  sleep as sleepFor,
  untilAborted as waitUntilAborted,
} from './util/abort.js';
import { fullJitter as jitter } from './util/backoff.js';
import { canonicalJson as canonical } from './util/canonical-json.js';
import { LatencyRecorder as LatencyRecorderClass } from './util/latency.js';
import { SafeEmitter as SafeEmitterClass } from './util/safe-emitter.js';

/** @deprecated Renamed `first()`; this name goes in the next minor version. */
export const firstSuccessful: typeof first = first;

/** @deprecated Use `pool.subscriptions` (one registry per pool); goes in the next minor version. */
export const resourceSubscriptions: ResourceSubscriptionsClass = sharedResourceSubscriptions;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const ResourceSubscriptions = ResourceSubscriptionsClass;
/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export type ResourceSubscriptions = ResourceSubscriptionsClass;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const CatalogIndex = CatalogIndexClass;
/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export type CatalogIndex = CatalogIndexClass;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const LatencyRecorder = LatencyRecorderClass;
/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export type LatencyRecorder = LatencyRecorderClass;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const SafeEmitter = SafeEmitterClass;
/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export type SafeEmitter = SafeEmitterClass;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const classifyError: typeof classify = classify;

/** @deprecated Renamed `isUnreachableError` in `@mcpool/core/internal`; goes in the next minor version. */
export const provesNotDelivered: typeof isUnreachableError = isUnreachableError;

/** @deprecated Renamed `isUnsent` in `@mcpool/core/internal`; goes in the next minor version. */
export const wasNotDelivered: typeof isUnsent = isUnsent;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const abortReason: typeof reasonOf = reasonOf;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const sleep: typeof sleepFor = sleepFor;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const untilAborted: typeof waitUntilAborted = waitUntilAborted;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const fullJitter: typeof jitter = jitter;

/** @deprecated Import from `@mcpool/core/internal`; goes from here in the next minor version. */
export const canonicalJson: typeof canonical = canonical;

/**
 * @deprecated The pool's default balancer; use `roundRobin()` from
 * `@mcpool/balancers`, or leave `balancer` unset. Goes in the next minor version.
 */
export const defaultRoundRobin: typeof roundRobinBalancer = roundRobinBalancer;
