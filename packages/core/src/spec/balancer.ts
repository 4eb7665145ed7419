import type { AttemptReport } from './attempt.js';
import type { RequestInfo, ServerView } from './server.js';

/** Picks one server among candidates. Strategies live in `@mcpool/balancers`. */
export interface Balancer {
  readonly name: string;
  /**
   * Returns one of `candidates` (never anything else). Throws `NoServerAvailableError`
   * when the list is empty. Called on the hot path: do not allocate.
   */
  pick<S extends ServerView>(candidates: readonly S[], request: RequestInfo): S;
  /** Told when an attempt starts on a server (for load-aware strategies). */
  onStart?(server: ServerView): void;
  /** Told how every attempt ended. */
  onResult?(report: AttemptReport): void;
  /** Told when a server leaves the pool, to drop its state. */
  onRemove?(serverId: string): void;
}
