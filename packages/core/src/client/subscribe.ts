import type { SubscribeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { checkOptions } from '../config/option-schema.js';
import type { ServerPool } from '../pool/server-pool.js';
import { NoServerAvailableError } from '../spec/errors.js';
import type { PoolEvents } from '../spec/events.js';
import type { ServerView } from '../spec/server.js';
import type { ResourceSubscription } from '../spec/subscription.js';
import type { CallOptions } from './options.js';
import type { Routes } from './routing.js';

const URI_RULE = 'must be the resource URI, a non-empty string';
const argumentsSchema = z.object({
  uri: z.string({ error: URI_RULE }).min(1, URI_RULE),
  onUpdated: z.custom<() => void>((v) => typeof v === 'function', {
    error: 'must be a function: it hears each update',
  }),
});

/** Numbers the holders of clients' resource subscriptions. */
let subscriptionSeq = 0;

/**
 * Subscribes to updates of a resource on the servers that offer it (or the
 * one named by `server`); `onUpdated` hears each
 * `notifications/resources/updated` for `uri`. Every client of a pool (and
 * the gateway) shares one subscription per server and resource, made by the
 * first holder and ended by the last; a server that reconnects or renews its
 * session is subscribed again. Resolves once at least one server accepted,
 * else rejects with the last server's error. `unsubscribe()` or the client's
 * `close()` ends it.
 */
export async function subscribeResource(
  pool: ServerPool,
  routes: Routes,
  /** The ends of the client's subscriptions still held, for its `close()`. */
  held: Set<() => Promise<void>>,
  params: SubscribeRequest['params'],
  onUpdated: (event: { serverId: string; uri: string }) => void,
  options: Pick<CallOptions, 'server' | 'signal'> = {},
): Promise<ResourceSubscription> {
  const uri = params?.uri;
  // Once per subscription, not per message: zod as for every other option.
  checkOptions('subscribeResource() arguments', argumentsSchema, { uri, onUpdated });
  const ids = options.server
    ? [routes.requireServer(options.server)]
    : (pool.catalog.routeResource(uri) ?? routes.serversWith('resources'));
  const known = ids
    .map((id) => pool.server(id))
    .filter((s): s is ServerView => s !== undefined && s.state !== 'closed');
  // Servers in selection first: one that is down would only hold the call up.
  const healthy = known.filter((s) => s.healthy);
  const servers = healthy.length > 0 ? healthy : known;
  if (servers.length === 0) {
    throw new NoServerAvailableError(
      `No server offers the resource "${uri}" to subscribe to: list the pool's resources to see what is offered.`,
    );
  }
  const holder = `mcpool-client-${++subscriptionSeq}`;
  const listener = ({ serverId, notification }: PoolEvents['server:notification'][0]) => {
    if (notification.method !== 'notifications/resources/updated') return;
    if ((notification.params as { uri?: unknown } | undefined)?.uri !== uri) return;
    if (pool.subscriptions.holds(serverId, uri, holder)) onUpdated({ serverId, uri });
  };
  pool.on('server:notification', listener);
  try {
    await pool.subscriptions.subscribe(servers, uri, holder, options.signal);
  } catch (error) {
    pool.off('server:notification', listener);
    throw error;
  }
  let ending: Promise<void> | undefined;
  const end = (): Promise<void> => {
    ending ??= (async () => {
      held.delete(end);
      pool.off('server:notification', listener);
      if (!pool.isClosed) await pool.subscriptions.unsubscribe(uri, holder);
    })();
    return ending;
  };
  held.add(end);
  return {
    uri,
    servers: servers.filter((s) => pool.subscriptions.holds(s.id, uri, holder)).map((s) => s.id),
    unsubscribe: end,
  };
}
