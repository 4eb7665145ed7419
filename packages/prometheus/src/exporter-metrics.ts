import type { Counter, Histogram } from 'prom-client';
import { BREAKER_STATE_VALUE, type BreakerState } from './breaker-state.js';
import type { MetricFactory } from './metric-factory.js';
import { METRIC_NAMES } from './metric-names.js';

/** What the exporter's metrics call back into when they are read. */
export interface MetricHooks {
  /** Hands the attempts counted in plain numbers to prom-client. */
  flush(): void;
  /** Reads the observed caches' figures. */
  collectCaches(): void;
  breakerState(serverId: string, exclusions: Record<string, string>): BreakerState;
}

/** Every metric of the exporter, as `METRIC_NAMES` lists them; gauges read the pool at scrape time. */
export function defineMetrics(make: MetricFactory, hooks: MetricHooks) {
  const requests = make.counter(
    METRIC_NAMES.requests,
    'Attempts on MCP servers, by server, method and outcome (success, rejected, server-error, timeout, aborted).',
    ['server', 'method', 'outcome'],
    hooks.flush,
  );
  const duration = make.histogram(
    METRIC_NAMES.requestDuration,
    'Duration of attempts on MCP servers in seconds, every outcome included.',
    ['server', 'method'],
    hooks.flush,
  );
  const retries = make.counter(
    METRIC_NAMES.retries,
    'Requests retried on another server, by method.',
    ['method'],
  );
  const fallbacks = make.counter(
    METRIC_NAMES.fallbacks,
    'Requests sent to a fallback server, by method.',
    ['method'],
  );
  const transitions = make.counter(
    METRIC_NAMES.serverTransitions,
    'Servers entering (to="healthy") or leaving (to="unhealthy") selection, by who caused it.',
    ['server', 'to', 'source'],
  );
  const panics = make.counter(
    METRIC_NAMES.poolPanics,
    'Requests for which no server was healthy, so every usable server was tried, by method.',
    ['method'],
  );
  const cacheHits = make.counter(
    METRIC_NAMES.cacheHits,
    'Calls answered from the cache.',
    [],
    hooks.collectCaches,
  );
  const cacheMisses = make.counter(
    METRIC_NAMES.cacheMisses,
    'Calls the cache could not answer.',
    [],
    hooks.collectCaches,
  );
  make.gauge(
    METRIC_NAMES.serverHealthy,
    'Whether a server is in selection (1) or not (0).',
    true,
    (m) => m.serverMetrics.map((s) => [s.serverId, s.healthy ? 1 : 0]),
  );
  make.gauge(
    METRIC_NAMES.serverUp,
    'Whether a server has a live connection (1) or not (0), excluded or not.',
    true,
    (m) => m.serverMetrics.map((s) => [s.serverId, s.connected ? 1 : 0]),
  );
  make.gauge(METRIC_NAMES.serverInflight, 'Requests in flight on a server.', true, (m) =>
    m.serverMetrics.map((s) => [s.serverId, s.inFlight]),
  );
  make.serverInfo(
    METRIC_NAMES.serverInfo,
    'Always 1, for the labels: the MCP era a server was last found to speak (legacy, modern).',
    'era',
    (m) => m.serverMetrics.map((s) => [s.serverId, s.era]),
  );
  make.gauge(METRIC_NAMES.serversTotal, 'Servers in the pool.', false, (m) => [
    [undefined, m.totalServers],
  ]);
  make.gauge(METRIC_NAMES.serversHealthy, 'Servers in selection.', false, (m) => [
    [undefined, m.healthyServers],
  ]);
  make.gauge(
    METRIC_NAMES.circuitBreakerState,
    'Circuit breaker state of a server: 0 closed, 1 open, 2 half-open.',
    true,
    (m) =>
      m.serverMetrics.map((s) => [
        s.serverId,
        BREAKER_STATE_VALUE[hooks.breakerState(s.serverId, s.exclusions)],
      ]),
  );
  return {
    requests,
    duration,
    retries,
    fallbacks,
    transitions,
    panics,
    cacheHits,
    cacheMisses,
  } satisfies Record<string, Counter<string> | Histogram<string>>;
}
