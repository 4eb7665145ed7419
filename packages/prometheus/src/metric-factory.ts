import { InvalidConfigError, type PoolMetrics } from '@mcpool/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Label names and values. */
export type Labels = Record<string, string>;

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

function nameOf(metric: AnyMetric): string {
  return (metric as unknown as { name: string }).name;
}

/**
 * Creates a Prometheus exporter for a pool (see the README for every metric).
 * Counters and the histogram follow the pool's events; gauges are read from
 * `pool.getMetrics()` when scraped, so nothing polls between scrapes.
 */
/**
 * Makes the exporter's prom-client metrics: names under the exporter's
 * prefix, its default labels on every series, and registration that fails
 * as a whole, with a clear error, when a name is taken in the registry.
 */
export class MetricFactory {
  readonly labelBase: string[];

  constructor(
    private readonly registry: Registry,
    private readonly prefix: string,
    readonly base: Labels,
    private readonly buckets: number[],
    /** The pool's figures for gauges at scrape time; undefined before attach. */
    private readonly poolMetrics: () => PoolMetrics | undefined,
  ) {
    this.labelBase = Object.keys(base);
  }

  /** Registers every metric made so far; later ones register as they are made. */
  commitPending(): void {
    const made = this.pending ?? [];
    this.pending = undefined;
    this.commit(made);
  }

  labels(own: Labels): Labels {
    return this.labelBase.length === 0 ? own : { ...own, ...this.base };
  }

  private metricName(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Metrics made by the constructor, registered together once none of their names is taken. */
  private pending: AnyMetric[] | undefined = [];

  private register<M extends AnyMetric>(metric: M): M {
    if (this.pending) this.pending.push(metric);
    else this.commit([metric]);
    return metric;
  }

  private commit(metrics: readonly AnyMetric[]): void {
    const taken = metrics
      .map((m) => nameOf(m))
      .filter((name) => this.registry.getSingleMetric(name) !== undefined);
    if (taken.length > 0) {
      throw new InvalidConfigError('prometheus exporter', [
        {
          path: 'registry',
          message: `the registry already has ${taken.join(', ')}; give this exporter a different prefix (or registry)`,
        },
      ]);
    }
    for (const metric of metrics) this.registry.registerMetric(metric);
  }

  counter(name: string, help: string, labelNames: string[], collect?: () => void): Counter<string> {
    const counter = this.register(
      new Counter({
        name: this.metricName(name),
        help,
        labelNames: [...labelNames, ...this.labelBase],
        registers: [],
        ...(collect ? { collect } : {}),
      }),
    );
    // Without own labels the series exists from the start, at 0, as an unlabelled one would.
    if (labelNames.length === 0 && this.labelBase.length > 0) counter.inc(this.base, 0);
    return counter;
  }

  histogram(
    name: string,
    help: string,
    labelNames: string[],
    collect?: () => void,
  ): Histogram<string> {
    const histogram = this.register(
      new Histogram({
        name: this.metricName(name),
        help,
        labelNames: [...labelNames, ...this.labelBase],
        buckets: this.buckets,
        registers: [],
        ...(collect ? { collect } : {}),
      }),
    );
    if (labelNames.length === 0 && this.labelBase.length > 0) histogram.zero(this.base);
    return histogram;
  }

  /**
   * An info gauge: 1 for each server, labelled with `label` (its era, say)
   * as the pool's figures say at scrape time; a server without a value yet
   * is not there.
   */
  serverInfo(
    name: string,
    help: string,
    label: string,
    values: (metrics: PoolMetrics) => [server: string, value: string | undefined][],
  ): void {
    const gauge: Gauge<string> = this.register(
      new Gauge({
        name: this.metricName(name),
        help,
        labelNames: ['server', label, ...this.labelBase],
        registers: [],
        collect: () => {
          gauge.reset();
          const metrics = this.poolMetrics();
          if (!metrics) return;
          for (const [server, value] of values(metrics)) {
            if (value !== undefined) gauge.set(this.labels({ server, [label]: value }), 1);
          }
        },
      }),
    );
  }

  /** A gauge filled from the pool's figures at scrape time; a removed server simply is not there. */
  gauge(
    name: string,
    help: string,
    perServer: boolean,
    values: (metrics: PoolMetrics) => [server: string | undefined, value: number][],
  ): void {
    const gauge: Gauge<string> = this.register(
      new Gauge({
        name: this.metricName(name),
        help,
        labelNames: perServer ? ['server', ...this.labelBase] : [...this.labelBase],
        registers: [],
        collect: () => {
          gauge.reset();
          const metrics = this.poolMetrics();
          if (!metrics) return;
          for (const [server, value] of values(metrics)) {
            gauge.set(server === undefined ? this.base : this.labels({ server }), value);
          }
        },
      }),
    );
  }
}
