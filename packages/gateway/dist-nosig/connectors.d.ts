import { type Connector } from '@mcpool/core';
import type { GatewayServer } from './config.js';
/**
 * The connectors a gateway's pools need besides core's built-in legacy one:
 * the modern-era connector of `@mcpool/connector-modern` when a server asks
 * for `protocol: "auto"` or `"2026-07-28"` (servers that name no `protocol`
 * are then `auto` too: core's default once a modern connector is registered),
 * else none. The package is an optional peer, loaded only then; without it
 * the first such server's `protocol` is an `InvalidConfigError` naming it.
 */
export declare function connectorsFor(servers: readonly GatewayServer[]): Promise<Connector[]>;
//# sourceMappingURL=connectors.d.ts.map