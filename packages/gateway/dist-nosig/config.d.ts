import { type ConfigIssue, type ServerConfig } from '@mcpool/core';
import { type TelemetrySettings } from './telemetry-config.js';
/** A server of the gateway: a pool server plus whether its sessions may be shared. */
export interface GatewayServer extends ServerConfig {
    /**
     * The server keeps no per-client state, so one pool's connections may serve
     * every downstream session. @default false (each downstream session gets its own)
     */
    stateless?: boolean | undefined;
    /**
     * The server keeps state per session that a fresh upstream session would
     * not have (a login, an open file). When a downstream session moves to
     * another gateway replica, calls to such a server are refused rather than
     * run on a new upstream session. @default false
     */
    sessionState?: boolean | undefined;
}
/** HTTP listener settings (`mcpool serve --http`). */
export interface HttpSettings {
    /** @default '127.0.0.1' */
    host?: string | undefined;
    /** @default 3333 */
    port?: number | undefined;
    /** @default '/mcp' */
    path?: string | undefined;
    /** Bearer token every request must carry. */
    token?: string | undefined;
    /** Host names accepted in the `Host` header besides localhost, 127.0.0.1 and [::1]. */
    allowedHosts?: string[] | undefined;
    /** Origins accepted besides loopback ones (`https://app.example.com`). */
    allowedOrigins?: string[] | undefined;
    /** @default 4 MiB */
    maxBodyBytes?: number | undefined;
    /** A downstream session unused this long is closed, ms. @default 1_800_000 */
    sessionIdleTimeout?: number | undefined;
    /** Downstream sessions open at once; beyond it a new client gets 503. @default 100 */
    maxSessions?: number | undefined;
    /**
     * Seals session ids (AES-256-GCM) so that any replica holding the secret
     * serves any session. Several, newest first, to rotate: the first seals,
     * all open. Also `MCPOOL_SESSION_SECRET` (comma-separated). @default none (ids are random)
     */
    sessionSecret?: string | string[] | undefined;
    /** How long a sealed session id stays valid, ms. @default 86_400_000 */
    sessionMaxAge?: number | undefined;
}
/** The configuration file, validated and resolved. */
export interface GatewayConfig {
    servers: GatewayServer[];
    /** Balancer name for `fromName`. @default 'round_robin' */
    strategy: string;
    /** Aggregation name for `aggregationFromName`. @default 'first' */
    aggregation: string;
    namespacing?: {
        policy?: 'prefix-on-conflict' | 'always' | 'reject';
        separator?: string;
    };
    maxConnectionsPerServer?: number;
    timeouts: {
        connect?: number;
        request?: number;
        attempt?: number;
        idle?: number;
        drain?: number;
    };
    reconnect?: {
        baseMs?: number;
        maxMs?: number;
    };
    retries: {
        max?: number;
        safeTools?: string[];
        unsafeTools?: string[];
        budget?: false | {
            ratio?: number;
            minPerSecond?: number;
            windowMs?: number;
        };
        backoff?: {
            baseMs?: number;
            maxMs?: number;
        };
    };
    /** Server ids (already mapped from names). */
    fallback?: {
        enabled?: boolean;
        order?: string[];
    };
    /** Options for `@mcpool/health`'s `HealthChecker` (`{}` for its defaults). */
    health?: Record<string, unknown>;
    /** Options for `@mcpool/circuit-breaker`'s `CircuitBreakers`. */
    breaker?: Record<string, unknown>;
    /** Options for `@mcpool/cache`'s `withCache`. */
    cache?: Record<string, unknown>;
    /** Servers found by `@mcpool/discovery`, next to or instead of `mcpServers`. */
    discovery?: DiscoverySettings;
    /** Where traces go (`@mcpool/opentelemetry`); see telemetry-config.ts. */
    telemetry?: TelemetrySettings;
    http: HttpSettings;
    /**
     * What is ignored but may be a mistake: unknown keys in server entries
     * (`"protocl"`), each with its path and the nearest known key.
     */
    warnings?: ConfigIssue[];
}
/** The `discovery` key: one source (checked by `@mcpool/discovery`) and the safety rules. */
export interface DiscoverySettings {
    /** `{ dns: {…} }`, `{ kubernetes: {…} }`, `{ consul: {…} }`, `{ etcd: {…} }` or `{ file: "path" }`. */
    source: Record<string, unknown>;
    /** Discovered servers keep no per-client state, so one pool serves every session. @default false */
    stateless?: boolean;
    /** `discover()` options: interval, settle, maxRemoveRatio, minServers. */
    rules: {
        interval?: number;
        settle?: number;
        maxRemoveRatio?: number;
        minServers?: number;
    };
}
/**
 * Validates a gateway configuration document (the `mcpServers` format plus
 * mcpool's options) and resolves it. Throws `InvalidConfigError` listing every
 * problem with its path; messages never repeat configured values.
 */
export declare function parseGatewayConfig(input: unknown, env?: Readonly<Record<string, string | undefined>>): GatewayConfig;
//# sourceMappingURL=config.d.ts.map