import type { ExecuteOptions } from '../spec/plugin.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import type { ServerPool } from './server-pool.js';

/** What the subscriptions of one pool need of it. */
interface SubscriptionPool {
  readonly isClosed: boolean;
  server(serverId: string): ServerView | undefined;
  execute(server: ServerView, request: RequestInfo, options?: ExecuteOptions): Promise<unknown>;
  on(
    event: 'server:connected' | 'server:session-renewed',
    fn: (e: { serverId: string }) => void,
  ): unknown;
  off(
    event: 'server:connected' | 'server:session-renewed',
    fn: (e: { serverId: string }) => void,
  ): unknown;
}

const key = (serverId: string, uri: string) => `${serverId}\u0000${uri}`;

/**
 * Resource subscriptions held on one pool's servers on behalf of holders
 * (clients, gateway sessions): `pool.subscriptions`. Holders share one
 * subscription per server and resource: it is made by the first and ended by
 * the last. A server that reconnects, or renews a session it forgot (404), is
 * subscribed again.
 */
export class PoolSubscriptions {
  /** `serverId \0 uri` → holders (downstream session ids). */
  private readonly holders = new Map<string, Set<string>>();
  private listening = false;

  constructor(private readonly pool: SubscriptionPool) {}

  // A reconnect and a session the server forgot (404) both mean a new session
  // that knows of no subscription.
  private readonly resubscribe = ({ serverId }: { serverId: string }): void => {
    const pool = this.pool;
    const server = pool.server(serverId);
    if (!server || pool.isClosed) return;
    for (const k of this.holders.keys()) {
      const [id, uri] = k.split('\u0000') as [string, string];
      if (id === serverId) void send(pool, server, 'resources/subscribe', uri).catch(() => {});
    }
  };

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    this.pool.on('server:connected', this.resubscribe);
    this.pool.on('server:session-renewed', this.resubscribe);
  }

  private stop(): void {
    if (!this.listening) return;
    this.listening = false;
    this.pool.off('server:connected', this.resubscribe);
    this.pool.off('server:session-renewed', this.resubscribe);
  }

  /** True when `holder` subscribed to `uri` on this server. */
  holds(serverId: string, uri: string, holder: string): boolean {
    return this.holders.get(key(serverId, uri))?.has(holder) ?? false;
  }

  /**
   * Subscribes `holder` to `uri` on each server; resolves when at least one
   * server accepted (or already had the subscription), else rejects with the
   * last server's error.
   */
  async subscribe(
    servers: readonly ServerView[],
    uri: string,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.listen();
    const holders = this.holders;
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
          await send(this.pool, server, 'resources/subscribe', uri, signal);
          holders.set(k, new Set([...(holders.get(k) ?? []), holder]));
          ok = true;
        } catch (error) {
          failure = error;
        }
      }),
    );
    if (holders.size === 0) this.stop();
    if (!ok) throw failure;
  }

  /** Drops `holder`'s subscriptions to `uri` (every uri when undefined); the last holder ends them upstream. */
  async unsubscribe(uri: string | undefined, holder: string, signal?: AbortSignal): Promise<void> {
    const pool = this.pool;
    const ends: Promise<unknown>[] = [];
    for (const [k, set] of this.holders) {
      const [serverId, subscribed] = k.split('\u0000') as [string, string];
      if ((uri !== undefined && subscribed !== uri) || !set.delete(holder)) continue;
      if (set.size > 0) continue;
      this.holders.delete(k);
      const server = pool.server(serverId);
      if (server && !pool.isClosed) {
        ends.push(send(pool, server, 'resources/unsubscribe', subscribed, signal).catch(() => {}));
      }
    }
    if (this.holders.size === 0) this.stop();
    await Promise.all(ends);
  }
}

/**
 * The registry of before 0.2, which took the pool as its first argument. It
 * keeps no state: each pool holds its own (`pool.subscriptions`), so holders
 * that use either shape count in the same place.
 */
export class ResourceSubscriptions {
  holds(pool: ServerPool, serverId: string, uri: string, holder: string): boolean {
    return pool.subscriptions.holds(serverId, uri, holder);
  }

  subscribe(
    pool: ServerPool,
    servers: readonly ServerView[],
    uri: string,
    holder: string,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    return pool.subscriptions.subscribe(servers, uri, holder, signal);
  }

  unsubscribe(
    pool: ServerPool,
    uri: string | undefined,
    holder: string,
    signal?: AbortSignal,
  ): Promise<void> {
    return pool.subscriptions.unsubscribe(uri, holder, signal);
  }
}

/** The stateless adapter behind the deprecated `resourceSubscriptions` export. */
export const sharedResourceSubscriptions = new ResourceSubscriptions();

function send(
  pool: SubscriptionPool,
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
