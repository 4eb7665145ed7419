import type { Notification } from '@modelcontextprotocol/sdk/types.js';
import { EventEmitter } from 'eventemitter3';
import type { NameConflict } from '../catalog/catalog-index.js';
import type { AttemptReport, ServerView } from './types.js';

/** Every event the pool emits, with its payload. */
export interface PoolEvents {
  'server:added': [{ server: ServerView }];
  'server:removed': [{ serverId: string }];
  'server:connected': [{ serverId: string; sessionId?: string | undefined }];
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
  /** A failure in the background (catalog refresh, reconnect, a throwing listener). */
  'pool:error': [{ source: string; serverId?: string | undefined; error: unknown }];
}

interface Registration {
  fn: (...args: unknown[]) => void;
  context: unknown;
  once: boolean;
}

/**
 * An EventEmitter whose listeners cannot break the emitter: a listener that
 * throws is reported as `pool:error` and the other listeners still run.
 * `once` and listener contexts work as in eventemitter3.
 */
export class SafeEmitter extends EventEmitter<PoolEvents> {
  override emit<K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]): boolean {
    // eventemitter3 keeps one registration or an array of them under the
    // (optionally prefixed) event name; walk a copy so removals are safe.
    const key = EventEmitter.prefixed ? `${EventEmitter.prefixed}${event}` : event;
    const entry = (this as unknown as { _events: Record<string, Registration | Registration[]> })
      ._events[key];
    if (!entry) return false;
    if (!Array.isArray(entry)) {
      this.call(event, entry, args);
      return true;
    }
    for (const r of [...entry]) this.call(event, r, args);
    return true;
  }

  private call<K extends keyof PoolEvents>(event: K, r: Registration, args: PoolEvents[K]): void {
    if (r.once) this.removeListener(event, r.fn as never, undefined, true);
    try {
      r.fn.apply(r.context, args);
    } catch (error) {
      if (event !== 'pool:error') {
        this.emit('pool:error', { source: `listener of ${String(event)}`, error });
      }
    }
  }
}
