import type { Following, NotificationFilter } from '@mcpool/core';
import { sleep } from '@mcpool/core/internal';
import type { ModernConnection } from './modern-connection.js';

/** Tries to listen again after a stream dropped, before leaving it to the next connection. */
const RELISTEN_ATTEMPTS = 6;

const LIST_CHANGED = {
  toolsListChanged: 'notifications/tools/list_changed',
  promptsListChanged: 'notifications/prompts/list_changed',
  resourcesListChanged: 'notifications/resources/list_changed',
} as const;

/**
 * Keeps one `subscriptions/listen` stream per modern server open, on one of its connections, so
 * that the pool hears of list changes as it does from a legacy server's GET stream and refreshes
 * the server's catalog. When that connection closes another takes over; when the stream drops it
 * is opened again, and the lists are announced as changed (changes may have been missed).
 */
export class ListFollower {
  private readonly live = new Map<string, Set<ModernConnection>>();
  private readonly leaders = new Map<string, ModernConnection>();

  /** A modern connection opened. */
  add(connection: ModernConnection): void {
    const set = this.live.get(connection.serverId) ?? new Set();
    set.add(connection);
    this.live.set(connection.serverId, set);
    if (!this.leaders.has(connection.serverId)) this.lead(connection);
  }

  /** A connection closed: another of its server's takes over following. */
  remove(connection: ModernConnection): void {
    const set = this.live.get(connection.serverId);
    set?.delete(connection);
    if (set?.size === 0) this.live.delete(connection.serverId);
    if (this.leaders.get(connection.serverId) !== connection) return;
    this.leaders.delete(connection.serverId);
    const next = set ? [...set].find((c) => !c.closed) : undefined;
    if (next) this.lead(next);
  }

  private lead(connection: ModernConnection): void {
    const filter = filterFor(connection);
    if (filter === undefined) return;
    this.leaders.set(connection.serverId, connection);
    void this.keepFollowing(connection, filter);
  }

  private async keepFollowing(connection: ModernConnection, filter: NotificationFilter) {
    let dropped = false;
    for (let attempt = 0; attempt <= RELISTEN_ATTEMPTS; attempt++) {
      if (connection.closed || this.leaders.get(connection.serverId) !== connection) return;
      let following: Following;
      try {
        following = await connection.follow(filter);
      } catch {
        await sleep(Math.min(100 * 2 ** attempt, 3_000));
        continue;
      }
      if (dropped) connection.announce(announced(filter));
      attempt = 0;
      const why = await following.closed;
      if (why !== 'remote') return;
      dropped = true;
      await sleep(100);
    }
  }
}

function filterFor(connection: ModernConnection): NotificationFilter | undefined {
  const caps = connection.serverCapabilities ?? {};
  const filter: NotificationFilter = {
    ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
    ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
    ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
  };
  return Object.keys(filter).length > 0 ? filter : undefined;
}

function announced(filter: NotificationFilter): string[] {
  return (Object.keys(LIST_CHANGED) as (keyof typeof LIST_CHANGED)[])
    .filter((key) => filter[key])
    .map((key) => LIST_CHANGED[key]);
}
