import { type Detach, type PoolMetrics, type PoolPlugin, ServerPool } from '@mcpool/core';
import { type MetricsServer, type PrometheusExporter } from '@mcpool/prometheus';
import type { UpstreamExtension } from './upstream.js';
/**
 * Every pool of the gateway seen as one, for exporters that watch one pool:
 * it relays the pools' traffic events and sums their figures per server (a
 * server is healthy when it is healthy in any session). It holds no servers
 * and is never started. Servers of the per-session pools appear once a
 * session has opened them.
 */
export declare class PoolAggregate extends ServerPool {
    private readonly tracked;
    /** The `onAttempt` hooks of the plugins installed here: they hear every tracked pool's attempts. */
    private readonly hearers;
    /** Installs a plugin; its `onAttempt` hook hears the attempts of every pool tracked. */
    use(plugin: PoolPlugin): Detach;
    /** Follows a pool until it closes (or until the returned function is called). */
    track(pool: ServerPool): () => void;
    private hearAttempt;
    getMetrics(): PoolMetrics;
}
/** Prometheus metrics for every pool of a gateway. */
export interface GatewayMetrics {
    readonly exporter: PrometheusExporter;
    readonly aggregate: PoolAggregate;
    /** Add to the gateway's `extensions`, first, so that cached answers are counted too. */
    readonly extension: UpstreamExtension;
    /** Serves `/metrics` on `host:port`. */
    listen(host: string, port: number): Promise<MetricsServer>;
    close(): Promise<void>;
}
/** Exports the figures of every pool the gateway opens through one `@mcpool/prometheus` exporter. */
export declare function gatewayMetrics(): GatewayMetrics;
//# sourceMappingURL=metrics.d.ts.map