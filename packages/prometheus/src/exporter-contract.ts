import type { CallMiddleware, Detach, PoolPlugin, ServerPool } from '@mcpool/core';
import type { Registry } from 'prom-client';
import type { MetricsHandler } from './metrics-handler.js';
import type { MetricsServer, MetricsServerOptions } from './metrics-server.js';

/** What `observeClient` needs of a client: `MultiServerClient` has it. */
export interface ObservableClient {
  use(middleware: CallMiddleware): () => void;
}

/** What `observeCache` needs of a cache: `@mcpool/cache`'s handle has it. */
export interface ObservableCache {
  metrics(): { hits: number; misses: number };
}

/** A pool plugin that exports the pool's figures to Prometheus. Install with `pool.use(exporter)`. */
export interface PrometheusExporter extends PoolPlugin {
  readonly name: 'prometheus';
  /** Where the metrics are; serve it yourself or with `handler`. */
  readonly registry: Registry;
  /** The pool it is attached to, if any. */
  readonly pool: ServerPool | undefined;
  /** Starts exporting one pool; returns what stops it. `pool.use(exporter)` calls it for you. */
  attach(pool: ServerPool): Detach;
  /**
   * Exports a client's whole calls (`mcp_client_requests_total{outcome}`,
   * `mcp_client_request_duration_seconds`) through call middleware. Install it
   * before a cache's middleware to count the calls the cache answers too.
   * Returns what removes it.
   */
  observeClient(client: ObservableClient): () => void;
  /** Counts cache hits or misses (`mcp_cache_hits_total`, `mcp_cache_misses_total`). */
  recordCache(kind: 'hit' | 'miss', n?: number): void;
  /**
   * Feeds the cache counters from a cache's cumulative `metrics()` at scrape
   * time (the increase since the last scrape), e.g. `withCache(...)`'s handle.
   * Returns what stops it.
   */
  observeCache(cache: ObservableCache): () => void;
  /** `node:http` request listener that serves the registry (GET/HEAD, any path). */
  readonly handler: MetricsHandler;
  /** The text exposition of the registry, as the handler serves it. */
  metrics(): Promise<string>;
  /** Content type of `metrics()`. */
  readonly contentType: string;
  /** Serves `handler` at `/metrics` on 127.0.0.1:9464 (by default). */
  startMetricsServer(options?: MetricsServerOptions): Promise<MetricsServer>;
}
