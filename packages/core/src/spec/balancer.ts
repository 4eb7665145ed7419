import type { AttemptReport } from './attempt.js';
import type { RequestInfo, ServerView } from './server.js';

/** Picks one server among candidates. Strategies live in `@mcpool/balancers`. */
export interface Balancer {
  readonly name: string;
  /**
   * Returns one of `candidates` (never anything else). Throws `NoServerAvailableError`
   * when the list is empty. Called on the hot path: do not allocate.
   *
   * The pool passes the same array object for the same candidate set, and a
   * new array whenever the set or a member's weight or priority changes
   * (a server joins or leaves, goes down or comes back, is excluded or
   * included, drains, changes weight or priority, or the catalog's list of
   * servers offering the request changes). An array once passed is never
   * changed, by the pool or by a balancer: a strategy may key what it builds
   * per set on the array's identity. A retry without the servers already
   * tried gets a new array.
   */
  pick<S extends ServerView>(candidates: readonly S[], request: RequestInfo): S;
  /** Told when an attempt starts on a server (for load-aware strategies). */
  onStart?(server: ServerView): void;
  /** Told how every attempt ended. */
  onResult?(report: AttemptReport): void;
  /** Told when a server leaves the pool, to drop its state. */
  onRemove?(serverId: string): void;
}
