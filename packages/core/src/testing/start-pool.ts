import type { ServerPoolOptions } from '../pool/options.js';
import { ServerPool } from '../pool/server-pool.js';
import type { ProtocolSetting } from '../spec/connector.js';
import type { PoolPlugin } from '../spec/plugin.js';
import type { TransportConfig } from '../spec/server.js';

/** A server to put in a test pool: any object with an id and a transport (testkit servers are). */
export interface TestServerRef {
  readonly id: string;
  readonly transport: TransportConfig;
  /** Taken as the server's config when given. */
  readonly name?: string | undefined;
  readonly weight?: number | undefined;
  readonly priority?: number | undefined;
  readonly tags?: string[] | undefined;
  readonly maxConnections?: number | undefined;
  readonly protocol?: ProtocolSetting | undefined;
}

/** Options of `startPool`: the pool's, plus where to register it for closing. */
export interface StartPoolOptions extends ServerPoolOptions {
  /** Told of the pool before it starts, to close it after the test (a `useCleanup()` list fits). */
  cleanup?: ((pool: ServerPool) => unknown) | undefined;
  /** Reject when a server fails to connect. @default true */
  strict?: boolean | undefined;
  /** Attached with `pool.use` before the pool starts, in this order. */
  plugins?: readonly PoolPlugin[] | undefined;
}

/**
 * A started pool of `servers`, for tests. Reconnects are fast (20 to 100 ms)
 * unless `reconnect` says otherwise, so a test that downs a server does not
 * wait half a second for it to come back.
 */
export async function startPool(
  servers: readonly TestServerRef[],
  options: StartPoolOptions = {},
): Promise<ServerPool> {
  const { cleanup, strict = true, plugins = [], ...poolOptions } = options;
  const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 100 }, ...poolOptions });
  cleanup?.(pool);
  for (const s of servers) {
    pool.addServer({
      id: s.id,
      transport: s.transport,
      ...(s.name !== undefined ? { name: s.name } : {}),
      ...(s.weight !== undefined ? { weight: s.weight } : {}),
      ...(s.priority !== undefined ? { priority: s.priority } : {}),
      ...(s.tags !== undefined ? { tags: s.tags } : {}),
      ...(s.maxConnections !== undefined ? { maxConnections: s.maxConnections } : {}),
      ...(s.protocol !== undefined ? { protocol: s.protocol } : {}),
    });
  }
  for (const plugin of plugins) pool.use(plugin);
  await pool.start({ strict });
  return pool;
}
