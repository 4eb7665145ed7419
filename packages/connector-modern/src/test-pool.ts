import {
  MultiServerClient,
  type MultiServerClientOptions,
  type ProtocolSetting,
  ServerPool,
  type ServerPoolOptions,
  type TransportConfig,
} from '@mcpool/core';
import type { Cleanup } from '@mcpool/core/testing';
import { modernConnector } from './modern-connector.js';

/** One server of a test pool. */
export interface PoolServer {
  readonly id: string;
  readonly transport: TransportConfig;
  readonly protocol?: ProtocolSetting | undefined;
}

/**
 * A started pool and a client over `servers`; with `modern` (the default) the modern connector
 * is registered. Reconnects are fast, so a test that downs a server does not wait for it.
 */
export async function modernPool(
  cleanup: Cleanup,
  servers: readonly PoolServer[],
  options: {
    modern?: boolean;
    pool?: ServerPoolOptions;
    client?: MultiServerClientOptions;
    strict?: boolean;
  } = {},
): Promise<{ pool: ServerPool; client: MultiServerClient }> {
  const pool = cleanup(
    new ServerPool({
      reconnect: { baseMs: 20, maxMs: 100 },
      ...(options.modern === false ? {} : { connectors: [modernConnector()] }),
      ...options.pool,
    }),
  );
  for (const server of servers) {
    pool.addServer({
      id: server.id,
      transport: server.transport,
      ...(server.protocol ? { protocol: server.protocol } : {}),
    });
  }
  await pool.start({ strict: options.strict ?? true });
  const client = cleanup(
    new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 }, ...options.client }),
  );
  return { pool, client };
}

/** The text of a tool result's first content block. */
export function firstText(result: unknown): string | undefined {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text;
}
