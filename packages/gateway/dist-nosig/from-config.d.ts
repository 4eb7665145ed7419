import type { GatewayConfig } from './config.js';
import type { GatewayOptions } from './gateway.js';
import type { GatewayLogger } from './logger.js';
import type { UpstreamExtension } from './upstream.js';
/** What `gatewayOptionsFromConfig` adds to the file's settings. */
export interface FromConfigExtras {
    logger?: GatewayLogger | undefined;
    /** Applied before the configured features (metrics go first to count cache answers). */
    extensions?: readonly UpstreamExtension[] | undefined;
    /** More secrets to mask (the bearer token). */
    secrets?: readonly (string | undefined)[] | undefined;
    /** What stdio servers do with their stderr. @default 'inherit' */
    stdioStderr?: 'inherit' | 'ignore' | undefined;
}
/**
 * Turns a validated configuration file into `Gateway` options: balancer and
 * aggregation by name, timeouts, retries, fallback, and the optional health
 * checks, circuit breakers and cache (each checked now, so that a bad option
 * is reported before anything starts).
 */
export declare function gatewayOptionsFromConfig(config: GatewayConfig, extras?: FromConfigExtras): Promise<GatewayOptions>;
//# sourceMappingURL=from-config.d.ts.map