import { type Aggregator, type Balancer, type Detach, MultiServerClient, type MultiServerClientOptions, ServerPool, type ServerPoolOptions, type ServerRequestHandlers } from '@mcpool/core';
import type { GatewayServer } from './config.js';
/** Whose an upstream pool is: one downstream session's, or every session's (stateless servers). */
export type UpstreamScope = 'session' | 'shared';
/** One pool of upstream servers and the client the gateway talks to it through. */
export interface Upstream {
    readonly scope: UpstreamScope;
    readonly pool: ServerPool;
    readonly client: MultiServerClient;
}
/**
 * Extends every upstream the gateway opens (health checks, breakers, caches,
 * metrics, logs). Called before the pool starts; what it returns is called
 * before the pool closes.
 */
export type UpstreamExtension = (upstream: Upstream) => Detach | undefined | Promise<Detach | undefined>;
/** Pool options the gateway passes on to every pool it opens. */
export type GatewayPoolOptions = Omit<ServerPoolOptions, 'servers' | 'handlers' | 'balancer'>;
/** Client options the gateway passes on to every client it opens. */
export type GatewayClientOptions = Omit<MultiServerClientOptions, 'aggregation' | 'balancer'>;
/** What `openUpstream` needs. */
export interface UpstreamSpec {
    scope: UpstreamScope;
    servers: readonly GatewayServer[];
    pool: GatewayPoolOptions;
    client: GatewayClientOptions;
    /** A new balancer for each pool (balancers keep state). */
    balancer: (() => Balancer) | undefined;
    aggregation: (() => Aggregator) | undefined;
    handlers: ServerRequestHandlers;
    extensions: readonly UpstreamExtension[];
}
/** An open upstream, with what closes it. */
export interface OpenUpstream extends Upstream {
    close(): Promise<void>;
}
/** Creates a pool and its client, applies the extensions and starts the pool. */
export declare function openUpstream(spec: UpstreamSpec): Promise<OpenUpstream>;
//# sourceMappingURL=upstream.d.ts.map