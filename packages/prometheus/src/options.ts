import { checkOptions, optionOf } from '@mcpool/core/internal';
import type { Registry } from 'prom-client';
import { z } from 'zod';
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

/** The options of `prometheusExporter()`, as zod checks them (the registry is prom-client's to check). */
const exporterOptionsSchema = z.object({
  prefix: optionOf<string>(
    (v) => typeof v === 'string' && (v === '' || METRIC_PREFIX.test(v)),
    'must start with a letter, `_` or `:` and hold only letters, digits, `_` and `:`',
  ),
  defaultLabels: z
    .record(z.string(), z.unknown(), 'must be an object of label names and values')
    .superRefine((labels, ctx) => {
      for (const [name, value] of Object.entries(labels)) {
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
        if (!LABEL_NAME.test(name) || name.startsWith('__'))
          issue(
            'a label name holds letters, digits and `_`, and does not start with a digit or `__`',
          );
        else if (OWN_LABEL_NAMES.includes(name))
          issue(`"${name}" is a label the exporter sets itself; pick another name`);
        if (typeof value !== 'string') issue('must be a string');
      }
    })
    .optional(),
  buckets: z
    .array(z.unknown(), 'must be an array of bucket bounds in seconds')
    .min(1, 'give at least one bucket')
    .superRefine((buckets, ctx) => {
      buckets.forEach((b, i) => {
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [i], message });
        if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0)
          issue('must be a positive number of seconds');
        else if (i > 0 && b <= (buckets[i - 1] as number))
          issue('buckets must be in increasing order');
      });
    })
    .optional(),
  breakerState: optionOf<(serverId: string) => BreakerState | undefined>(
    (v) => typeof v === 'function',
    'must be a function (serverId) => state',
  ),
});

/** Checks the options once, reporting every problem with its path. */
export function resolveExporterOptions(
  options: PrometheusExporterOptions,
): ResolvedExporterOptions {
  checkOptions('prometheus exporter options', exporterOptionsSchema, options);
  return {
    prefix: options.prefix ?? '',
    defaultLabels: { ...options.defaultLabels },
    buckets: [...(options.buckets ?? DEFAULT_DURATION_BUCKETS)],
    breakerState: options.breakerState,
  };
}
