import type { Connection } from '../spec/connector.js';
import type { ServerState } from '../spec/server.js';
import { fullJitter } from '../util/backoff.js';
import type { ServerContext } from './pooled-server.js';

/** What reconnecting needs of its server. */
interface DownServer {
  readonly state: ServerState;
  readonly connectionCount: number;
  readonly context: ServerContext;
  connection(): Connection | Promise<Connection>;
}

/**
 * Reconnects a server that went down, with full-jitter backoff between tries
 * (never less than half the base), until it is back or closed.
 */
export class Reconnects {
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;

  constructor(private readonly server: DownServer) {}

  /** The server connected: the next outage starts the backoff over. */
  succeeded(): void {
    this.attempts = 0;
  }

  /** Tries again after the backoff, unless a try is already scheduled. */
  schedule(): void {
    const server = this.server;
    if (this.timer || server.state === 'closed') return;
    this.attempts++;
    const { baseMs, maxMs } = server.context.reconnect;
    const delay = Math.max(baseMs / 2, fullJitter(this.attempts, { baseMs, maxMs }));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (server.state !== 'down' || server.connectionCount > 0) return;
      Promise.resolve(server.connection()).catch(() => {
        // down() scheduled the next try.
      });
    }, delay);
    this.timer.unref();
  }

  /** Tries now instead of after the backoff (the server is known to be back). */
  now(): void {
    if (this.server.state !== 'down') return;
    this.stop();
    Promise.resolve(this.server.connection()).catch(() => {});
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
