import type { Connection, ConnectOptions, Connector, ProtocolSetting } from '@mcpool/core';
import { ModernConnection } from './modern-connection.js';

/** Options of {@link modernConnector}. */
export interface ModernConnectorOptions {
  /**
   * Pages the v2 client walks for one list before it gives up on a server whose `nextCursor`
   * never converges.
   * @default 64
   */
  listMaxPages?: number;
}

/**
 * The connector for MCP servers of the 2026-07-28 era, on the v2 client
 * (`@modelcontextprotocol/client`). It serves servers whose `protocol` is `auto` (probe
 * `server/discover` once, fall back to `initialize` for a legacy server) or `2026-07-28`
 * (modern only: a legacy server fails at connect with an error naming what to set).
 *
 * ```ts
 * const pool = new ServerPool({ connectors: [modernConnector()] });
 * ```
 */
export function modernConnector(options: ModernConnectorOptions = {}): Connector {
  const listMaxPages = options.listMaxPages ?? 64;
  if (!Number.isInteger(listMaxPages) || listMaxPages < 0) {
    throw new TypeError(
      `modernConnector: listMaxPages must be a whole number ≥ 0 (0 for no limit); got ${String(options.listMaxPages)}.`,
    );
  }
  return {
    name: 'modern',
    supports: (protocol: ProtocolSetting) => protocol === 'auto' || protocol === '2026-07-28',
    connect: (connect: ConnectOptions): Promise<Connection> =>
      ModernConnection.open(connect, { listMaxPages }),
  };
}
