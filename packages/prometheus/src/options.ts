import { type ConfigIssue, InvalidConfigError } from '@mcpool/core';
import type { Registry } from 'prom-client';
import type { BreakerState } from './breaker-state.js';
import { DEFAULT_DURATION_BUCKETS, OWN_LABEL_NAMES } from './metric-names.js';

/** Options of `prometheusExporter()`. Every one is optional. */
export interface PrometheusExporterOptions {
  /**
   * Registry to write the metrics into; pass your own to serve them beside
   * your application's metrics (prom-client's global `register` works too).
   * @default a new `Registry`
   */
  registry?: Registry | undefined;
  /** Put before every metric name, e.g. `myapp_` gives `myapp_mcp_requests_total`. @default '' */
  prefix?: string | undefined;
  /**
   * Constant labels on every series of this exporter (e.g. `{ pool: 'search' }`).
   * They are set on this exporter's metrics only, never on the registry, so
   * your other metrics are left alone.
   * @default {}
   */
  defaultLabels?: Record<string, string> | undefined;
  /** Buckets of the duration histograms, in seconds. @default DEFAULT_DURATION_BUCKETS (1 ms … 30 s) */
  buckets?: readonly number[] | undefined;
  /**
   * Exact breaker state of a server, e.g. from `@mcpool/circuit-breaker`.
   * Return `undefined` to fall back to the pool's exclusions (source `breaker`).
   */
  breakerState?: ((serverId: string) => BreakerState | undefined) | undefined;
}

export interface ResolvedExporterOptions {
  prefix: string;
  defaultLabels: Readonly<Record<string, string>>;
  buckets: number[];
  breakerState: ((serverId: string) => BreakerState | undefined) | undefined;
}

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Checks the options once, reporting every problem with its path. */
export function resolveExporterOptions(
  options: PrometheusExporterOptions,
): ResolvedExporterOptions {
  const issues: ConfigIssue[] = [];
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string' || (prefix !== '' && !METRIC_PREFIX.test(prefix))) {
    issues.push({
      path: 'prefix',
      message: 'must start with a letter, `_` or `:` and hold only letters, digits, `_` and `:`',
    });
  }
  const defaultLabels = options.defaultLabels ?? {};
  for (const [name, value] of Object.entries(defaultLabels)) {
    const path = `defaultLabels.${name}`;
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      issues.push({
        path,
        message:
          'a label name holds letters, digits and `_`, and does not start with a digit or `__`',
      });
    } else if (OWN_LABEL_NAMES.includes(name)) {
      issues.push({
        path,
        message: `"${name}" is a label the exporter sets itself; pick another name`,
      });
    }
    if (typeof value !== 'string') issues.push({ path, message: 'must be a string' });
  }
  const buckets = [...(options.buckets ?? DEFAULT_DURATION_BUCKETS)];
  if (buckets.length === 0) issues.push({ path: 'buckets', message: 'give at least one bucket' });
  buckets.forEach((b, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
      issues.push({ path: `buckets[${i}]`, message: 'must be a positive number of seconds' });
    } else if (i > 0 && b <= (buckets[i - 1] as number)) {
      issues.push({ path: `buckets[${i}]`, message: 'buckets must be in increasing order' });
    }
  });
  if (options.breakerState !== undefined && typeof options.breakerState !== 'function') {
    issues.push({ path: 'breakerState', message: 'must be a function (serverId) => state' });
  }
  if (issues.length > 0) throw new InvalidConfigError('prometheus exporter options', issues);
  return {
    prefix,
    defaultLabels: { ...defaultLabels },
    buckets,
    breakerState: options.breakerState,
  };
}
