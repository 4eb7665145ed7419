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
export { abortReason, type BackoffOptions, fullJitter, sleep } from './backoff.js';
export { canonicalJson } from './canonical-json.js';
export {
  CatalogIndex,
  type NameConflict,
  type NamespacingOptions,
  type NamespacingPolicy,
  type Route,
  type ServerCatalog,
} from './catalog.js';
export {
  type CallOptions,
  type ClientMetrics,
  MultiServerClient,
  type MultiServerClientOptions,
} from './client.js';
export {
  serverConfigSchema,
  serversFromEnv,
  serversFromMcpConfig,
  transportSchema,
  validateServerConfig,
} from './config.js';
export * from './errors.js';
export { type PoolEvents, SafeEmitter } from './events.js';
export { classifyError, provesNotDelivered, wasNotDelivered } from './failure.js';
export { firstSuccessful } from './first.js';
export type { ServerRequestContext, ServerRequestHandlers } from './handlers.js';
export { type LatencyPercentiles, LatencyRecorder } from './latency.js';
export {
  type Candidates,
  type ExecuteOptions,
  type PoolMetrics,
  type PoolPlugin,
  ServerPool,
  type ServerPoolOptions,
} from './pool.js';
export type { ServerMetrics } from './pooled-server.js';
export { RetryBudget, type RetryBudgetOptions } from './retry-budget.js';
export { defaultRoundRobin } from './round-robin.js';
export { untilAborted } from './signals.js';
export { ResourceSubscriptions, resourceSubscriptions } from './subscriptions.js';
export type * from './types.js';
