import {
  MultiServerClient,
  type ServerConfig,
  ServerPool,
  type ServerPoolOptions,
} from '@mcpool/core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolRequest } from '@modelcontextprotocol/sdk/types.js';

/** The call every throughput figure is made of: a small, read-only, idempotent tool. */
export const ADD: CallToolRequest['params'] = { name: 'add', arguments: { a: 2, b: 3 } };
export const WHOAMI: CallToolRequest['params'] = { name: 'whoami', arguments: {} };

/**
 * A bare SDK client, as an application without mcpool would use one. It lists
 * the tools once, like the pool does, so both validate `structuredContent`
 * against the tool's output schema and do the same work per call.
 */
export async function connectSdkClient(transport: Transport, name = 'bench-sdk'): Promise<Client> {
  const client = new Client({ name, version: '0.0.0' });
  await client.connect(transport);
  await client.listTools();
  return client;
}

export function httpTransport(url: string): StreamableHTTPClientTransport {
  return new StreamableHTTPClientTransport(new URL(url));
}

/** Closes an SDK client; over HTTP it ends the session first, as the pool does. */
export async function closeSdkClient(client: Client): Promise<void> {
  const transport = client.transport;
  if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
    await transport.terminateSession().catch(() => {});
  }
  await client.close().catch(() => {});
}

export interface PoolHandle {
  pool: ServerPool;
  client: MultiServerClient;
  close(): Promise<void>;
}

/** A started pool (every server connected, catalogs loaded) and a client over it. */
export async function startPool(
  servers: readonly ServerConfig[],
  options: ServerPoolOptions = {},
  clientOptions: ConstructorParameters<typeof MultiServerClient>[1] = {},
): Promise<PoolHandle> {
  const pool = new ServerPool({ connectionTimeout: 10_000, ...options });
  for (const server of servers) pool.addServer(server);
  await pool.start();
  await pool.ready();
  const unhealthy = pool.servers().filter((s) => !s.healthy);
  if (unhealthy.length > 0) {
    await pool.close();
    throw new Error(`servers did not connect: ${unhealthy.map((s) => s.id).join(', ')}`);
  }
  const client = new MultiServerClient(pool, clientOptions);
  return {
    pool,
    client,
    close: async () => {
      await client.close();
      await pool.close();
    },
  };
}
