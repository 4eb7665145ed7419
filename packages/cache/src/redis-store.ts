import { Redis, type RedisOptions } from 'ioredis';
import type { CacheStore } from './store.js';

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /** A client you made and own; the store does not close it unless `closeClient` is true. */
  client?: Redis | undefined;
  /** Where Redis is, when the store makes its own client. @default 'redis://127.0.0.1:6379' */
  url?: string | undefined;
  /** More ioredis options for the client the store makes (they win over the store's defaults). */
  redis?: RedisOptions | undefined;
  /** Prefix of every key, so several caches can share one Redis. @default 'mcpool:cache:' */
  prefix?: string | undefined;
  /** A command not answered within this time fails (the cache then carries on without it), ms. @default 200 */
  commandTimeout?: number | undefined;
  /** Close the client on `close()`. @default true when the store made the client */
  closeClient?: boolean | undefined;
  /** Told of connection errors (refused, reset); commands that fail reject as well. */
  onError?: ((error: Error) => void) | undefined;
}

/** A cache store in Redis, shared by every client replica that points at it. */
export interface RedisStore extends CacheStore {
  /** The ioredis client, for health checks and dashboards. */
  readonly client: Redis;
  /** True while the connection is up and commands can be sent. */
  readonly connected: boolean;
  close(): Promise<void>;
}

/**
 * A cache store backed by Redis (ioredis). Values are JSON strings written
 * with `SET ... PX ttl`, so Redis expires them itself. Made with a `url`, the
 * client does not queue commands while disconnected and times commands out,
 * so a Redis outage makes every operation fail fast — which the cache turns
 * into plain upstream calls — and the client reconnects in the background.
 */
export function redisStore(options: RedisStoreOptions = {}): RedisStore {
  const prefix = options.prefix ?? 'mcpool:cache:';
  const owns = options.closeClient ?? options.client === undefined;
  const client =
    options.client ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: options.commandTimeout ?? 200,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
      ...options.redis,
    });
  const onError = (error: Error) => options.onError?.(error);
  // Without a listener ioredis prints every connection error; the cache counts command failures.
  client.on('error', onError);
  let closed = false;
  const pattern = `${escapeGlob(prefix)}*`;

  return {
    name: 'redis',
    client,
    get connected() {
      return client.status === 'ready';
    },
    async get(key) {
      const value = await client.get(prefix + key);
      return value ?? undefined;
    },
    async set(key, value, ttlMs) {
      await client.set(prefix + key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async delete(key) {
      await client.del(prefix + key);
    },
    async clear() {
      let cursor = '0';
      do {
        const [nextCursor, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = nextCursor;
        if (keys.length > 0) await client.unlink(...keys);
      } while (cursor !== '0');
    },
    async close() {
      if (closed) return;
      closed = true;
      // disconnect() stops reconnecting at once; quit() would wait on a Redis that may be gone.
      if (owns) client.disconnect();
      else client.off('error', onError);
    },
  };
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}
