/**
 * The public names of `@mcpool/core`, listed one by one. What only mcpool's
 * own packages use is in `@mcpool/core/internal`; the shared test rig is in
 * `@mcpool/core/testing`.
 */

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
export { first } from './call/call.js';
export { RetryBudget, type RetryBudgetOptions } from './call/retry-budget.js';
export { MultiServerClient } from './client/multi-server-client.js';
export type { CallOptions, ClientMetrics, MultiServerClientOptions } from './client/options.js';
export {
  type McpConfigOptions,
  serverConfigSchema,
  serversFromEnv,
  serversFromMcpConfig,
  transportSchema,
  validateServerConfig,
} from './config/server-config.js';
export type {
  ServerRequestContext,
  ServerRequestHandlers,
} from './connection/server-requests.js';
export {
  abortReason,
  CatalogIndex,
  canonicalJson,
  classifyError,
  defaultRoundRobin,
  firstSuccessful,
  fullJitter,
  LatencyRecorder,
  provesNotDelivered,
  ResourceSubscriptions,
  resourceSubscriptions,
  SafeEmitter,
  sleep,
  untilAborted,
  wasNotDelivered,
} from './deprecated.js';
export type { Candidates, ServerPoolOptions } from './pool/options.js';
export { ServerPool } from './pool/server-pool.js';
export type { AggregationJob, Aggregator } from './spec/aggregator.js';
export type {
  AttemptContext,
  AttemptMiddleware,
  AttemptOptions,
  AttemptOutcome,
  AttemptReport,
} from './spec/attempt.js';
export type { Balancer } from './spec/balancer.js';
export type { CallContext, CallMiddleware } from './spec/call.js';
export type {
  CatalogCacheHint,
  CatalogCacheHints,
  CatalogList,
  NameConflict,
  NamespacingOptions,
  NamespacingPolicy,
  Route,
  ServerCatalog,
} from './spec/catalog.js';
export {
  type Connection,
  type ConnectionListener,
  type ConnectOptions,
  type Connector,
  type EraVerdict,
  type Following,
  MODERN_PROTOCOL_VERSION,
  type NotificationFilter,
  type PoolMethod,
  PROTOCOL_SETTINGS,
  type ProtocolEra,
  type ProtocolSetting,
  type RequestOptions,
} from './spec/connector.js';
export {
  AbortedError,
  AllServersFailedError,
  AmbiguousNameError,
  type AttemptFailure,
  type ConfigIssue,
  ConnectionError,
  DuplicateServerError,
  EraMismatchError,
  InvalidConfigError,
  McpoolError,
  type McpoolErrorCode,
  NoServerAvailableError,
  PoolClosedError,
  RequestMayHaveRunError,
  TimeoutError,
  UnknownCapabilityError,
  UnknownServerError,
  UnsafeAggregationError,
} from './spec/errors.js';
export type { PoolEvents } from './spec/events.js';
export type { PoolMetrics, ServerMetrics } from './spec/metrics.js';
export type { Detach, ExecuteOptions, PoolHost, PoolPlugin } from './spec/plugin.js';
export type {
  RequestInfo,
  ServerConfig,
  ServerState,
  ServerView,
  TransportConfig,
} from './spec/server.js';
export type { ResourceSubscription } from './spec/subscription.js';
export type { BackoffOptions } from './util/backoff.js';
export type { LatencyPercentiles } from './util/latency.js';
