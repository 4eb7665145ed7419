/**
 * `@mcpool/core/internal`: what mcpool's own packages share and applications
 * do not need. No promise of stability: names here may change in any minor
 * version. Applications import from `@mcpool/core`.
 */
export { CatalogIndex } from './catalog/catalog-index.js';
export { backoffFields, fallbackFields, retryBudgetFields } from './client/options.js';
export { checkOptions, optionOf, showValue } from './config/option-schema.js';
export {
  checkMcpServerEntry,
  mcpServerEntryObject,
  mcpServerEntryWarnings,
  protocolSchema,
  serverConfigSchema,
  serverConfigWarnings,
  toIssues,
  transportSchema,
} from './config/server-config.js';
export { editDistance, emitConfigWarning, nearestKey, unknownKeys } from './config/unknown-keys.js';
export {
  markShared,
  recordRequestIds,
  sendCancellable,
  sentRequestId,
} from './connection/cancellable-requests.js';
export {
  NodeHttpClientTransport,
  type NodeHttpClientTransportOptions,
} from './connection/node-http-transport.js';
export { namespacingSchema, poolOptionsSchema } from './pool/options.js';
export { defaultRoundRobin as poolDefaultBalancer } from './pool/round-robin.js';
export { ResourceSubscriptions } from './pool/subscriptions.js';
export {
  classifyError,
  faultOf,
  isUnreachableError,
  isUnsent,
  markUnsent,
  rememberFault,
} from './spec/failure.js';
export {
  abortReason,
  beforeDeadline,
  linkSignals,
  MAX_TIMER_MS,
  sleep,
  untilAborted,
  withDeadline,
  withTimeout,
} from './util/abort.js';
export { type BackoffOptions, fullJitter } from './util/backoff.js';
export { canonicalJson } from './util/canonical-json.js';
export { type LatencyPercentiles, LatencyRecorder } from './util/latency.js';
export { SafeEmitter } from './util/safe-emitter.js';
