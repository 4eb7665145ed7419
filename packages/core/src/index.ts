/** The SDK types that go in and out of the client, re-exported for convenience. */
export type {
  CallToolRequest,
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptRequest,
  GetPromptResult,
  Prompt,
  ReadResourceRequest,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
export { firstSuccessful } from './call/first.js';
export { RetryBudget, type RetryBudgetOptions } from './call/retry-budget.js';
export {
  CatalogIndex,
  type NameConflict,
  type NamespacingOptions,
  type NamespacingPolicy,
  type Route,
  type ServerCatalog,
} from './catalog/catalog-index.js';
export {
  type CallOptions,
  type ClientMetrics,
  MultiServerClient,
  type MultiServerClientOptions,
} from './client/multi-server-client.js';
export {
  serverConfigSchema,
  serversFromEnv,
  serversFromMcpConfig,
  transportSchema,
  validateServerConfig,
} from './config/server-config.js';
export type { ServerRequestContext, ServerRequestHandlers } from './connection/server-requests.js';
export { classifyError, provesNotDelivered, wasNotDelivered } from './pool/failure.js';
export { defaultRoundRobin } from './pool/round-robin.js';
export {
  type Candidates,
  type ExecuteOptions,
  type PoolMetrics,
  type PoolPlugin,
  ServerPool,
  type ServerPoolOptions,
} from './pool/server-pool.js';
export { ResourceSubscriptions, resourceSubscriptions } from './pool/subscriptions.js';
export type { ServerMetrics } from './server/pooled-server.js';
export * from './spec/errors.js';
export { type PoolEvents, SafeEmitter } from './spec/events.js';
export type * from './spec/types.js';
export { untilAborted } from './util/abort.js';
export { abortReason, type BackoffOptions, fullJitter, sleep } from './util/backoff.js';
export { canonicalJson } from './util/canonical-json.js';
export { type LatencyPercentiles, LatencyRecorder } from './util/latency.js';
