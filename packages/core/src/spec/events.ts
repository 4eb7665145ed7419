import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import type { AttemptReport } from './attempt.js';
import type { NameConflict } from './catalog.js';
import type { ProtocolEra } from './connector.js';
import type { ServerView } from './server.js';

/** Every event the pool emits, with its payload. */
export interface PoolEvents {
  'server:added': [{ server: ServerView }];
  /** A server left the pool and drains; `server:removed` follows once it is gone (unless its id is added again meanwhile). */
  'server:removing': [{ serverId: string }];
  'server:removed': [{ serverId: string }];
  /** `era` is the protocol era of the connection that brought the server up. */
  'server:connected': [
    { serverId: string; sessionId?: string | undefined; era?: ProtocolEra | undefined },
  ];
  'server:disconnected': [{ serverId: string; reason: string }];
  /**
   * The server's kept session changed: the server forgot it (HTTP 404) and
   * mcpool initialized a new one, or it closed while another session of the
   * server took its place. Per-session state (subscriptions) is not there.
   */
  'server:session-renewed': [{ serverId: string; sessionId?: string | undefined }];
  /** The server is back in selection. */
  'server:healthy': [{ serverId: string; source: string; reason: string }];
  /** The server left selection; `source` says who took it out (connection, health, breaker, ...). */
  'server:unhealthy': [{ serverId: string; source: string; reason: string }];
  /** A notification from a server that mcpool does not consume itself. */
  'server:notification': [{ serverId: string; notification: Notification }];
  /** A logging message from a server (`notifications/message`). */
  'server:log': [{ serverId: string; level: string; logger?: string | undefined; data: unknown }];
  'catalog:changed': [{ serverId: string }];
  /** Two servers now offer different definitions under one name; calls by that name stop until disambiguated. */
  'catalog:conflict': [NameConflict];
  /** One attempt on one server ended. */
  attempt: [AttemptReport];
  'request:retry': [
    { method: string; target?: string | undefined; from?: string | undefined; to: string },
  ];
  'request:fallback': [
    { method: string; target?: string | undefined; from?: string | undefined; to: string },
  ];
  /** No healthy server could serve a request, so every server that offers it was tried. */
  'pool:panic': [{ method: string; target?: string | undefined; servers: readonly string[] }];
  /**
   * Something in the configuration that is ignored but may be a mistake: an
   * unknown key in a server config (`path` names it, `message` the nearest
   * known key). With no listener it goes to Node's `process.emitWarning`.
   */
  'pool:warning': [
    { source: 'config'; serverId?: string | undefined; path: string; message: string },
  ];
  /** A failure in the background (catalog refresh, reconnect, a throwing listener). */
  'pool:error': [{ source: string; serverId?: string | undefined; error: unknown }];
}
