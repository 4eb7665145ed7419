import type { ServerView } from '../spec/types.js';
import type { ServerPool } from './server-pool.js';

interface PoolSubscriptions {
  /** `serverId \0 uri` → holders (downstream session ids). */
  readonly holders: Map<string, Set<string>>;
  readonly stop: () => void;
}

const key = (serverId: string, uri: string) => `${serverId}\u0000${uri}`;

/**
 * Resource subscriptions held on a pool's servers on behalf of holders
 * (clients, gateway sessions). Holders of one pool share one subscription per
 * server and resource: it is made by the first and ended by the last. A
 * server that reconnects, or renews a session it forgot (404), is subscribed
 * again. Use the one instance, `resourceSubscriptions`, so that every holder
 * of a pool counts in the same place.
 */
export class ResourceSubscriptions {
  private readonly pools = new WeakMap<ServerPool, PoolSubscriptions>();

  private of(pool: ServerPool): PoolSubscriptions {
    let entry = this.pools.get(pool);
    if (!entry) {
      const holders = new Map<string, Set<string>>();
      const resubscribe = ({ serverId }: { serverId: string }) => {
        const server = pool.server(serverId);
        if (!server || pool.isClosed) return;
        for (const k of holders.keys()) {
          const [id, uri] = k.split('\u0000') as [string, string];
          if (id === serverId) void send(pool, server, 'resources/subscribe', uri).catch(() => {});
        }
      };
      // A reconnect and a session the server forgot (404) both mean a new session
      // that knows of no subscription.
      pool.on('server:connected', resubscribe);
      pool.on('server:session-renewed', resubscribe);
      entry = {
        holders,
        stop: () => {
          pool.off('server:connected', resubscribe);
          pool.off('server:session-renewed', resubscribe);
        },
      };
      this.pools.set(pool, entry);
    }
    return entry;
  }

  /** True when `holder` subscribed to `uri` on this server of this pool. */
  holds(pool: ServerPool, serverId: string, uri: string, holder: string): boolean {
    return this.pools.get(pool)?.holders.get(key(serverId, uri))?.has(holder) ?? false;
  }

  /**
   * Subscribes `holder` to `uri` on each server; resolves when at least one
   * server accepted (or already had the subscription), else rejects with the
   * last server's error.
   */
  async subscribe(
    pool: ServerPool,
    servers: readonly ServerView[],
    uri: string,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const { holders } = this.of(pool);
    let failure: unknown;
    let ok = false;
    await Promise.all(
      servers.map(async (server) => {
        const k = key(server.id, uri);
        const set = holders.get(k);
        if (set && set.size > 0) {
          set.add(holder);
          ok = true;
          return;
        }
        try {
          await send(pool, server, 'resources/subscribe', uri, signal);
          holders.set(k, new Set([...(holders.get(k) ?? []), holder]));
          ok = true;
        } catch (error) {
          failure = error;
        }
      }),
    );
    if (!ok) throw failure;
  }

  /** Drops `holder`'s subscriptions to `uri` (every uri when undefined); the last holder ends them upstream. */
  async unsubscribe(
    pool: ServerPool,
    uri: string | undefined,
    holder: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const entry = this.pools.get(pool);
    if (!entry) return;
    const ends: Promise<unknown>[] = [];
    for (const [k, set] of entry.holders) {
      const [serverId, subscribed] = k.split('\u0000') as [string, string];
      if ((uri !== undefined && subscribed !== uri) || !set.delete(holder)) continue;
      if (set.size > 0) continue;
      entry.holders.delete(k);
      const server = pool.server(serverId);
      if (server && !pool.isClosed) {
        ends.push(send(pool, server, 'resources/unsubscribe', subscribed, signal).catch(() => {}));
      }
    }
    if (entry.holders.size === 0) {
      entry.stop();
      this.pools.delete(pool);
    }
    await Promise.all(ends);
  }
}

function send(
  pool: ServerPool,
  server: ServerView,
  method: 'resources/subscribe' | 'resources/unsubscribe',
  uri: string,
  signal?: AbortSignal,
): Promise<unknown> {
  return pool.execute(
    server,
    { method, params: { uri }, safe: true, target: uri },
    { signal, timeout: 10_000 },
  );
}

/** The registry every `MultiServerClient` and the gateway use. */
export const resourceSubscriptions = new ResourceSubscriptions();
