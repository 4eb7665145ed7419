import type { GatewayConfig } from './config.js';
/** What `mcpool check` found for one server. Holds names and figures only, never configuration. */
export interface CheckRow {
    /** The name in `mcpServers`. */
    server: string;
    transport: 'stdio' | 'http' | 'sse';
    stateless: boolean;
    status: 'ok' | 'down';
    /** The MCP era the server spoke (`legacy`, `modern`); undefined when it did not connect. */
    era: 'legacy' | 'modern' | undefined;
    /** Round trip of an MCP ping, ms. */
    latencyMs: number | undefined;
    tools: string[];
    /** Why the server is down (secrets masked). */
    reason: string | undefined;
}
/** Options of `checkServers`. */
export interface CheckOptions {
    /** Budget to connect to and ping each server, ms. @default 10_000 */
    timeoutMs?: number | undefined;
    signal?: AbortSignal | undefined;
}
/** Connects to every configured server (in parallel), pings it and lists its tools. */
export declare function checkServers(config: GatewayConfig, options?: CheckOptions): Promise<CheckRow[]>;
/** The table `mcpool check` prints. */
export declare function formatCheckTable(rows: readonly CheckRow[], width?: number): string;
//# sourceMappingURL=check.d.ts.map