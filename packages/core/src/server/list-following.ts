import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import type { Connection, Following, NotificationFilter } from '../spec/connector.js';

/*
 * A server's list changes, followed on its kept connection. A modern server
 * sends nothing unless asked (`subscriptions/listen`); a legacy one sends to
 * every session anyway, and its connection's `follow()` asks for nothing. The
 * notifications arrive through the connection's listener as before, so the
 * catalog refresh does not care which era they came from.
 */

/** What to follow for a server with these capabilities; undefined when it announces no list changes. */
export function listChangesOf(
  capabilities: ServerCapabilities | undefined,
): NotificationFilter | undefined {
  const filter: NotificationFilter = {};
  if (capabilities?.tools?.listChanged) filter.toolsListChanged = true;
  if (capabilities?.prompts?.listChanged) filter.promptsListChanged = true;
  if (capabilities?.resources?.listChanged) filter.resourcesListChanged = true;
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/** Keeps one `follow()` open on a server's kept connection, following it again when the stream drops. */
export class ListFollowing {
  private current:
    | { connection: Connection; following: Promise<Following | undefined> }
    | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Drops in a row on one connection; following stops after `maxDrops`. */
  private drops = 0;

  constructor(
    private readonly retryMs: number,
    private readonly maxDrops = 20,
  ) {}

  /** The connection followed last, whose drops are counted. */
  private followed: Connection | undefined;

  /** Follows on `connection` (the server's kept one), unless it already does. */
  follow(connection: Connection | undefined): void {
    if (connection !== undefined && this.current?.connection === connection) return;
    this.halt();
    if (connection !== this.followed) this.drops = 0;
    this.followed = connection;
    if (connection === undefined || connection.closed) return;
    const filter = listChangesOf(connection.serverCapabilities);
    if (!filter) return;
    const entry = {
      connection,
      following: connection.follow(filter).catch(() => undefined),
    };
    this.current = entry;
    void entry.following.then((following) => {
      if (!following) return;
      if (this.current !== entry) {
        following.close().catch(() => {});
        return;
      }
      void following.closed.then((how) => {
        if (how !== 'remote' || this.current !== entry || connection.closed) return;
        // The stream dropped: follow again after a pause, a bounded number of times.
        this.current = undefined;
        if (++this.drops > this.maxDrops) return;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          if (this.current === undefined) this.follow(connection);
        }, this.retryMs);
        this.timer.unref();
      });
    });
  }

  /** Stops following (the server closes). */
  stop(): void {
    this.halt();
    this.followed = undefined;
    this.drops = 0;
  }

  private halt(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const entry = this.current;
    this.current = undefined;
    void entry?.following.then((f) => f?.close()).catch(() => {});
  }
}
