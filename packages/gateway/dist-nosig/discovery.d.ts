import { type ConfigIssue } from '@mcpool/core';
import type { GatewayConfig, GatewayServer } from './config.js';
import type { GatewayLogger } from './logger.js';
import type { UpstreamExtension } from './upstream.js';
/** What a configuration's `discovery` key found once (`mcpool check`, the start of `serve`). */
export interface DiscoveryFindings {
    /** The source, like `kubernetes:default/mcp-servers`. */
    source: string;
    servers: GatewayServer[];
    /** Entries that were skipped, each with its path. */
    issues: ConfigIssue[];
}
/** The gateway's side of discovery: the first set, then one `discover()` per pool it opens. */
export interface GatewayDiscovery {
    readonly source: string;
    /** Resolves once: what the source reports now. Rejects when the source fails. */
    resolveOnce(signal?: AbortSignal): Promise<DiscoveryFindings>;
    /** Resolves once, retrying with backoff until it finds a server or `signal` aborts; logs each failure. */
    firstSet(signal?: AbortSignal): Promise<DiscoveryFindings>;
    /** Keeps every pool of the discovered scope in step with the source. */
    readonly extension: UpstreamExtension;
    /** True once a set was resolved: a readiness gate. */
    resolved(): boolean;
}
/**
 * Builds the configured discovery source (every problem reported under
 * `discovery.…`). `baseDir` is where a `file` source's path starts: the
 * configuration file's folder.
 */
export declare function gatewayDiscovery(config: GatewayConfig, options: {
    baseDir: string;
    logger?: GatewayLogger | undefined;
}): Promise<GatewayDiscovery>;
/** The lines `mcpool check` prints about what discovery found. */
export declare function formatFindings(found: DiscoveryFindings): string;
//# sourceMappingURL=discovery.d.ts.map