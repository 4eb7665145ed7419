// Over 350 lines: one closure holds the registry, the series and the attempts
// waiting to be flushed into prom-client; apart they would pass their state around.
import {
  type AttemptOutcome,
  type AttemptReport,
  type CallMiddleware,
  type Detach,
  InvalidConfigError,
  type PoolEvents,
  type PoolMetrics,
  type ServerPool,
} from '@mcpool/core';
import { classifyError } from '@mcpool/core/internal';
import { type Counter, type Histogram, Registry } from 'prom-client';
import {
  BREAKER_STATE_VALUE,
  type BreakerState,
  breakerStateFromExclusions,
} from './breaker-state.js';
import type { ObservableCache, ObservableClient, PrometheusExporter } from './exporter-contract.js';
import { defineMetrics } from './exporter-metrics.js';
import { type Labels, MetricFactory } from './metric-factory.js';
import { METRIC_NAMES } from './metric-names.js';
import { type MetricsHandler, metricsHandler } from './metrics-handler.js';
import {
  type MetricsServer,
  type MetricsServerOptions,
  startMetricsServer,
} from './metrics-server.js';
import {
  type PrometheusExporterOptions,
  type ResolvedExporterOptions,
  resolveExporterOptions,
} from './options.js';

/** The attempts of one server and method, as counted between two reads of the registry. */
interface AttemptSeries {
  readonly duration: Labels;
  /** By outcome: the series' labels and attempts not yet counted by prom-client. */
  readonly requests: Map<string, { readonly labels: Labels; pending: number }>;
  /** Durations (s) not yet observed by prom-client. */
  readonly latencies: number[];
}

/** Waiting attempts per series at most: memory stays bounded when nothing scrapes. */
const FLUSH_AT = 512;
export function prometheusExporter(options: PrometheusExporterOptions = {}): PrometheusExporter {
  return new Exporter(options);
}

class Exporter implements PrometheusExporter {
  readonly name = 'prometheus' as const;
  readonly registry: Registry;
  readonly handler: MetricsHandler;
  private readonly options: ResolvedExporterOptions;
  private readonly base: Labels;
  private readonly make: MetricFactory;
  private attached: ServerPool | undefined;
  private scrape: PoolMetrics | undefined;
  /** Servers removed from the pool: attempts they report while draining out are dropped. */
  private readonly removed = new Set<string>();
  /** Per server: its series, so they can be removed with it. */
  private readonly seen = new Map<
    string,
    {
      methods: Map<string, AttemptSeries>;
      transitions: Map<string, Labels>;
    }
  >();
  /** Series with attempts not yet handed to prom-client. */
  private readonly dirty = new Set<AttemptSeries>();
  private readonly observed = new WeakMap<ObservableClient, () => void>();
  /** Observed caches and the figures they had at the last scrape. */
  private readonly caches = new Map<ObservableCache, { hits: number; misses: number }>();
  private client: { requests: Counter<string>; duration: Histogram<string> } | undefined;

  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly retries: Counter<string>;
  private readonly fallbacks: Counter<string>;
  private readonly transitions: Counter<string>;
  private readonly panics: Counter<string>;
  private readonly cacheHits: Counter<string>;
  private readonly cacheMisses: Counter<string>;

  constructor(options: PrometheusExporterOptions) {
    this.options = resolveExporterOptions(options);
    this.registry = options.registry ?? new Registry();
    this.base = { ...this.options.defaultLabels };
    this.make = new MetricFactory(
      this.registry,
      this.options.prefix,
      this.base,
      this.options.buckets,
      () => this.poolMetrics(),
    );
    this.handler = metricsHandler(this.registry);

    const metrics = defineMetrics(this.make, {
      flush: () => this.flush(),
      collectCaches: () => this.collectCaches(),
      breakerState: (serverId, exclusions) => this.breakerState(serverId, exclusions),
    });
    this.requests = metrics.requests;
    this.duration = metrics.duration;
    this.retries = metrics.retries;
    this.fallbacks = metrics.fallbacks;
    this.transitions = metrics.transitions;
    this.panics = metrics.panics;
    this.cacheHits = metrics.cacheHits;
    this.cacheMisses = metrics.cacheMisses;
    this.make.commitPending();
  }

  /** Hears every attempt of the pool it is installed in (after the `attempt` event's listeners). */
  readonly onAttempt = (report: AttemptReport): void => {
    if (this.attached) this.recordAttempt(report);
  };

  get pool(): ServerPool | undefined {
    return this.attached;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  startMetricsServer(options: MetricsServerOptions = {}): Promise<MetricsServer> {
    return startMetricsServer({ ...options, handler: this.handler });
  }

  attach(pool: ServerPool): Detach {
    if (this.attached) {
      throw new InvalidConfigError('prometheus exporter', [
        {
          path: 'pool',
          message:
            this.attached === pool
              ? 'this exporter is already attached to this pool'
              : 'this exporter already exports another pool; create one exporter per pool (with a different prefix or defaultLabels when they share a registry)',
        },
      ]);
    }
    this.attached = pool;
    const offs: (() => void)[] = [];
    const on = <K extends keyof PoolEvents>(
      event: K,
      listener: (...args: PoolEvents[K]) => void,
    ): void => {
      pool.on(event, listener);
      offs.push(() => pool.off(event, listener));
    };
    on('request:retry', (e) => this.retries.inc(this.make.labels({ method: e.method })));
    on('request:fallback', (e) => this.fallbacks.inc(this.make.labels({ method: e.method })));
    on('pool:panic', (e) => this.panics.inc(this.make.labels({ method: e.method })));
    on('server:healthy', (e) => this.onTransition(e.serverId, 'healthy', e.source));
    on('server:unhealthy', (e) => this.onTransition(e.serverId, 'unhealthy', e.source));
    on('server:added', (e) => {
      this.removed.delete(e.server.id);
    });
    on('server:removed', (e) => this.forget(e.serverId));
    return () => {
      for (const off of offs.splice(0)) off();
      if (this.attached === pool) this.attached = undefined;
    };
  }

  observeClient(client: ObservableClient): () => void {
    const existing = this.observed.get(client);
    if (existing) return existing;
    this.client ??= {
      requests: this.make.counter(
        METRIC_NAMES.clientRequests,
        'Whole client calls (retries and fallbacks included), by outcome.',
        ['outcome'],
      ),
      duration: this.make.histogram(
        METRIC_NAMES.clientRequestDuration,
        'Duration of whole client calls in seconds, retries and fallbacks included.',
        [],
      ),
    };
    const { requests, duration } = this.client;
    const base = this.base;
    const middleware: CallMiddleware = async (context, next) => {
      const started = performance.now();
      let outcome: AttemptOutcome = 'success';
      try {
        return await next(context);
      } catch (error) {
        outcome = classifyError(error, context.signal?.aborted === true);
        throw error;
      } finally {
        requests.inc({ outcome, ...base });
        duration.observe(base, (performance.now() - started) / 1000);
      }
    };
    const remove = client.use(middleware);
    const stop = () => {
      this.observed.delete(client);
      remove();
    };
    this.observed.set(client, stop);
    return stop;
  }

  recordCache(kind: 'hit' | 'miss', n = 1): void {
    if (!Number.isFinite(n) || n < 0) {
      throw new InvalidConfigError('recordCache', [
        { path: 'n', message: 'must be a finite number, 0 or more' },
      ]);
    }
    if (kind === 'hit') this.cacheHits.inc(this.base, n);
    else if (kind === 'miss') this.cacheMisses.inc(this.base, n);
    else {
      throw new InvalidConfigError('recordCache', [
        { path: 'kind', message: 'must be "hit" or "miss"' },
      ]);
    }
  }

  observeCache(cache: ObservableCache): () => void {
    if (!this.caches.has(cache)) {
      const { hits, misses } = cache.metrics();
      this.caches.set(cache, { hits, misses });
    }
    return () => {
      this.caches.delete(cache);
    };
  }

  /** Adds what each observed cache counted since the last scrape (both cache counters call it). */
  private collectCaches(): void {
    for (const [cache, last] of this.caches) {
      let now: { hits: number; misses: number };
      try {
        now = cache.metrics();
      } catch (error) {
        this.attached?.emit('pool:error', { source: 'prometheus observeCache', error });
        continue;
      }
      // A figure that went down means the cache was reset: all it has now is new.
      const hits = now.hits >= last.hits ? now.hits - last.hits : now.hits;
      const misses = now.misses >= last.misses ? now.misses - last.misses : now.misses;
      if (hits > 0) this.cacheHits.inc(this.base, hits);
      if (misses > 0) this.cacheMisses.inc(this.base, misses);
      last.hits = now.hits;
      last.misses = now.misses;
    }
  }

  /**
   * Every attempt passes through here, so it only counts in plain numbers:
   * prom-client (which validates and hashes the labels of each update) gets
   * them when the registry is read, or once a series has FLUSH_AT waiting.
   */
  private recordAttempt(report: AttemptReport): void {
    const server = report.server.id;
    if (this.removed.has(server)) return;
    const seen = this.seenOf(server);
    let series = seen.methods.get(report.method);
    if (!series) {
      series = {
        duration: this.make.labels({ server, method: report.method }),
        requests: new Map(),
        latencies: [],
      };
      seen.methods.set(report.method, series);
    }
    let requests = series.requests.get(report.outcome);
    if (!requests) {
      requests = {
        labels: this.make.labels({ server, method: report.method, outcome: report.outcome }),
        pending: 0,
      };
      series.requests.set(report.outcome, requests);
    }
    requests.pending++;
    if (series.latencies.push(report.latencyMs / 1000) === 1) this.dirty.add(series);
    else if (series.latencies.length >= FLUSH_AT) this.flushSeries(series);
  }

  /** Hands every waiting attempt to prom-client (both attempt metrics' collect calls it). */
  private flush(): void {
    for (const series of this.dirty) this.flushSeries(series);
  }

  private flushSeries(series: AttemptSeries): void {
    for (const requests of series.requests.values()) {
      if (requests.pending > 0) this.requests.inc(requests.labels, requests.pending);
      requests.pending = 0;
    }
    for (const seconds of series.latencies) this.duration.observe(series.duration, seconds);
    series.latencies.length = 0;
    this.dirty.delete(series);
  }

  private onTransition(server: string, to: 'healthy' | 'unhealthy', source: string): void {
    if (this.removed.has(server)) return;
    const labels = this.make.labels({ server, to, source });
    this.transitions.inc(labels);
    const seen = this.seenOf(server);
    const key = `${to}\u0000${source}`;
    if (!seen.transitions.has(key)) seen.transitions.set(key, labels);
  }

  /** Deletes a removed server's series: Prometheus sees them end rather than freeze. */
  private forget(server: string): void {
    this.removed.add(server);
    const seen = this.seen.get(server);
    if (!seen) return;
    this.seen.delete(server);
    for (const series of seen.methods.values()) {
      this.dirty.delete(series);
      for (const { labels } of series.requests.values()) this.requests.remove(labels);
      this.duration.remove(series.duration);
    }
    for (const labels of seen.transitions.values()) this.transitions.remove(labels);
  }

  private seenOf(server: string) {
    let seen = this.seen.get(server);
    if (!seen) {
      seen = { methods: new Map(), transitions: new Map() };
      this.seen.set(server, seen);
    }
    return seen;
  }

  private breakerState(serverId: string, exclusions: Record<string, string>): BreakerState {
    const exact = this.options.breakerState;
    if (exact) {
      try {
        const state = exact(serverId);
        if (state !== undefined && state in BREAKER_STATE_VALUE) return state;
      } catch (error) {
        this.attached?.emit('pool:error', {
          source: 'prometheus breakerState',
          serverId,
          error,
        });
      }
    }
    return breakerStateFromExclusions(exclusions);
  }

  /** One `getMetrics()` per scrape: every gauge's collect runs in the same tick. */
  private poolMetrics(): PoolMetrics | undefined {
    if (!this.attached) return undefined;
    if (!this.scrape) {
      this.scrape = this.attached.getMetrics();
      queueMicrotask(() => {
        this.scrape = undefined;
      });
    }
    return this.scrape;
  }
}
