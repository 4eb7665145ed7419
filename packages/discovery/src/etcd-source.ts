import { sleep } from '@mcpool/core/internal';
import type { Etcd3 } from 'etcd3';
import { SourceFailedError } from './errors.js';
import { connectEtcd } from './etcd-client.js';
import {
  DEFAULT_PREFIX,
  type EtcdConnectionOptions,
  etcdConnectionSchema,
} from './etcd-options.js';
import { parseOptions } from './options.js';
import type { DiscoveredEntry, Resolution, Source } from './source.js';

/**
 * Servers registered in etcd: every key under `prefix` holds one server's
 * config as JSON (checked like any other), usually written by
 * {@link announce} under a lease, so a server that dies leaves when its lease
 * expires. The prefix is watched; after a lost connection the whole prefix is
 * read again, so nothing that changed meanwhile is missed.
 */
export function etcdSource(options: EtcdSourceOptions): Source {
  const o = parseOptions('etcdSource options', etcdConnectionSchema, options);
  const prefix = o.prefix ?? DEFAULT_PREFIX;
  const name = `etcd:${prefix}`;
  let client: Promise<Etcd3> | undefined;
  let users = 0;
  const acquire = () => {
    users++;
    client ??= connectEtcd('etcdSource', o);
    client.catch(() => {
      client = undefined;
    });
    return client;
  };
  const release = async () => {
    users--;
    if (users > 0 || !client) return;
    const c = client;
    client = undefined;
    (await c.catch(() => undefined))?.close();
  };

  const read = async (etcd: Etcd3, signal?: AbortSignal): Promise<Resolution> => {
    let values: Record<string, string>;
    const aborted = new Promise<never>((_, reject) => {
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    aborted.catch(() => {});
    try {
      values = await Promise.race([etcd.getAll().prefix(prefix).strings(), aborted]);
    } catch (error) {
      signal?.throwIfAborted();
      throw new SourceFailedError(
        name,
        `cannot read ${prefix} from ${o.endpoints.join(', ')} (${(error as Error).message})`,
        { cause: error },
      );
    }
    return { entries: Object.entries(values).map(([key, value]) => entryOf(key, value)) };
  };

  return {
    name,
    async resolve(signal) {
      signal?.throwIfAborted();
      const etcd = await acquire();
      try {
        return await read(etcd, signal);
      } finally {
        await release();
      }
    },
    watch(listener, signal) {
      let reading = false;
      let again = false;
      // Full reads, one at a time: a burst of events costs one read, and the last read is current.
      const reread = async (etcd: Etcd3) => {
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            try {
              const resolution = await read(etcd);
              if (!signal.aborted) listener.update(resolution);
            } catch (error) {
              if (!signal.aborted) listener.error(error as Error);
            }
          } while (again && !signal.aborted);
        } finally {
          reading = false;
        }
      };
      void (async () => {
        for (let failures = 0; !signal.aborted; failures++) {
          let etcd: Etcd3 | undefined;
          try {
            etcd = await acquire();
            const connected = etcd;
            // The client's watch manager reconnects a created watch with backoff on its own.
            const watcher = await connected.watch().prefix(prefix).create();
            const onChange = () => void reread(connected);
            watcher.on('put', onChange);
            watcher.on('delete', onChange);
            watcher.on('connected', onChange);
            watcher.on('disconnected', (error) => {
              if (!signal.aborted)
                listener.error(
                  new SourceFailedError(name, `lost the watch (${error.message}); reconnecting`, {
                    cause: error,
                  }),
                );
            });
            const stop = async () => {
              await watcher.cancel().catch(() => {});
              await release();
            };
            if (signal.aborted) await stop();
            else signal.addEventListener('abort', () => void stop(), { once: true });
            await reread(connected);
            return;
          } catch (error) {
            if (etcd) await release();
            if (signal.aborted) return;
            listener.error(
              new SourceFailedError(name, `cannot watch ${prefix} (${(error as Error).message})`, {
                cause: error,
              }),
            );
            await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), signal).catch(() => {});
          }
        }
      })();
    },
  };
}

/** Options of {@link etcdSource}. */
export interface EtcdSourceOptions extends EtcdConnectionOptions {}

function entryOf(key: string, value: string): DiscoveredEntry {
  const origin = `etcd:${key}`;
  try {
    return { config: JSON.parse(value), origin };
  } catch (error) {
    return {
      config: undefined,
      origin,
      problem: `the value is not JSON (${(error as Error).message}); write a server config like {"id":"a","transport":{...}}`,
    };
  }
}
