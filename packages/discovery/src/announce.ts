import { type ServerConfig, validateServerConfig } from '@mcpool/core';
import { sleep } from '@mcpool/core/internal';
import type { Etcd3, Lease } from 'etcd3';
import { z } from 'zod';
import { SourceFailedError } from './errors.js';
import { connectEtcd } from './etcd-client.js';
import {
  DEFAULT_PREFIX,
  type EtcdConnectionOptions,
  etcdConnectionSchema,
} from './etcd-options.js';
import { parseOptions } from './options.js';

/** Options of {@link announce}. */
export interface AnnounceOptions extends EtcdConnectionOptions {
  /** The server as pools should reach it; stored as JSON at `prefix + id`. */
  server: ServerConfig;
  /** Lease time: a process that stops renewing leaves pools this long after, s. @default 10 */
  ttl?: number | undefined;
  /** Told when the lease was lost and is being granted again (etcd restarted, a long pause). */
  onError?: ((error: Error) => void) | undefined;
  /** Revokes the announcement when aborted, like `close()`. */
  signal?: AbortSignal | undefined;
}

/** A server's registration in etcd, kept alive until `close()`. */
export interface Announcement {
  /** The key holding the server's config. */
  readonly key: string;
  /** Revokes the lease (the server leaves every pool at once) and closes the client. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const schema = etcdConnectionSchema.extend({
  server: z.unknown(),
  ttl: z.number().int().min(2).optional(),
  onError: z.unknown().optional(),
  signal: z.unknown().optional(),
});

/**
 * Registers an MCP server process in etcd for {@link etcdSource}: its config
 * under `prefix + id`, attached to a lease the client keeps alive. If the
 * process dies, the key goes when the lease expires; if the lease is lost
 * while the process lives (etcd restarted without it), it is granted again.
 * Resolves once the key is written.
 */
export async function announce(options: AnnounceOptions): Promise<Announcement> {
  const o = parseOptions('announce() options', schema, options);
  const server = validateServerConfig(options.server, 'server');
  options.signal?.throwIfAborted();
  const key = `${o.prefix ?? DEFAULT_PREFIX}${server.id}`;
  const value = JSON.stringify(server);
  const ttl = o.ttl ?? 10;
  const etcd: Etcd3 = await connectEtcd('announce()', o);
  const closing = new AbortController();
  let lease: Lease | undefined;

  const register = async (): Promise<void> => {
    const next = etcd.lease(ttl);
    lease = next;
    next.on('lost', (error) => {
      if (closing.signal.aborted) return;
      options.onError?.(
        new SourceFailedError(
          `etcd:${key}`,
          `the lease was lost (${error.message}); announcing again`,
          {
            cause: error,
          },
        ),
      );
      void again();
    });
    await next.put(key).value(value);
  };
  const again = async () => {
    for (let n = 0; !closing.signal.aborted; n++) {
      try {
        await register();
        return;
      } catch (error) {
        options.onError?.(error as Error);
        await sleep(Math.min(10_000, 250 * 2 ** Math.min(n, 6)), closing.signal).catch(() => {});
      }
    }
  };

  try {
    await register();
  } catch (error) {
    etcd.close();
    throw new SourceFailedError(
      `etcd:${key}`,
      `cannot announce at ${o.endpoints.join(', ')} (${(error as Error).message})`,
      { cause: error },
    );
  }

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing.abort();
      await lease?.revoke().catch(() => {});
      etcd.close();
    })();
    return closed;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  return { key, close, [Symbol.asyncDispose]: close };
}
