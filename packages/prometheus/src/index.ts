export {
  type AlertResult,
  type AlertRule,
  type MaxErrorRateOptions,
  type MetricsSnapshot,
  maxErrorRate,
  minHealthyServers,
} from './alerts/alert-rules.js';
export {
  type AlertEvent,
  type AlertEvents,
  AlertMonitor,
  type AlertSource,
  type AlertsOptions,
  alerts,
} from './alerts/alerts.js';
export type { AttemptCounts } from './alerts/attempt-window.js';
export type { BreakerState } from './breaker-state.js';
export { BREAKER_STATE_VALUE, breakerStateFromExclusions } from './deprecated.js';
export { prometheusExporter } from './exporter.js';
export type {
  ObservableCache,
  ObservableClient,
  PrometheusExporter,
} from './exporter-contract.js';
export { DEFAULT_DURATION_BUCKETS, METRIC_NAMES } from './metric-names.js';
export { type MetricsHandler, metricsHandler } from './metrics-handler.js';
export {
  type MetricsServer,
  type MetricsServerOptions,
  startMetricsServer,
} from './metrics-server.js';
export type { PrometheusExporterOptions } from './options.js';
