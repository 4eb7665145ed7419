/** Names of every metric the exporter writes, before the optional prefix. */
export const METRIC_NAMES = {
  requests: 'mcp_requests_total',
  requestDuration: 'mcp_request_duration_seconds',
  serverHealthy: 'mcp_server_healthy',
  serverUp: 'mcp_server_up',
  serverInflight: 'mcp_server_inflight',
  serverInfo: 'mcp_server_info',
  serversTotal: 'mcp_servers_total',
  serversHealthy: 'mcp_servers_healthy',
  circuitBreakerState: 'mcp_circuit_breaker_state',
  retries: 'mcp_retries_total',
  fallbacks: 'mcp_fallbacks_total',
  serverTransitions: 'mcp_server_transitions_total',
  poolPanics: 'mcp_pool_panic_total',
  cacheHits: 'mcp_cache_hits_total',
  cacheMisses: 'mcp_cache_misses_total',
  clientRequests: 'mcp_client_requests_total',
  clientRequestDuration: 'mcp_client_request_duration_seconds',
} as const;

/**
 * Latency buckets in seconds, from 1 ms (a cache-near or in-process tool) to
 * 30 s (the client's default request timeout), roughly ×2.5 apart.
 */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Label names the exporter uses itself; `defaultLabels` may not reuse them. */
export const OWN_LABEL_NAMES: readonly string[] = [
  'server',
  'method',
  'outcome',
  'to',
  'source',
  'era',
  'le',
  'quantile',
];
