import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { EventEmitter } from 'eventemitter3';
import type { AttemptMiddleware, AttemptReport } from './attempt.js';
import type { Balancer } from './balancer.js';
import type { CallMiddleware } from './call.js';
import type { PoolEvents } from './events.js';
import type { PoolMetrics } from './metrics.js';
import type { RequestInfo, ServerConfig, ServerView } from './server.js';

/** Releases what a plugin attached. */
export type Detach = () => void | Promise<void>;

/** Options of one attempt on one server. */
export interface ExecuteOptions {
  signal?: AbortSignal | undefined;
  /** Time budget of the attempt, ms. */
  timeout?: number | undefined;
  /**
   * When the whole call ends, as a `performance.now()` time: the attempt
   * fails with a timeout there even if `signal` never aborts. It travels as
   * the SDK request's own timeout, so it costs no timer.
   */
  deadline?: number | undefined;
  onprogress?: ((progress: Progress) => void) | undefined;
  /** Told of the attempt's start and result, besides the pool's balancer. */
  balancer?: Balancer | undefined;
  /**
   * A background attempt (a health check), not traffic: it is not counted in
   * request figures, last use or balancer feedback. Its `attempt` report says so.
   */
  background?: boolean | undefined;
}

/**
 * What a plugin may use of the pool it is attached to: its events, its
 * servers, exclusion from selection, figures, background attempts (a health
 * probe) and membership (a discovery plugin). `ServerPool` is one; a plugin that needs more of the pool
 * declares `attach(pool: ServerPool)`.
 */
export interface PoolHost
  extends Pick<EventEmitter<PoolEvents>, 'on' | 'off' | 'once' | 'emit' | 'listenerCount'> {
  readonly isClosed: boolean;
  /** Every server, in the order they were added. */
  servers(): ServerView[];
  server(serverId: string): ServerView | undefined;
  isHealthy(serverId: string): boolean;
  /** Takes a server out of selection on behalf of `source`; `include` puts it back. */
  exclude(serverId: string, source: string, reason: string): void;
  include(serverId: string, source: string): void;
  exclusions(serverId: string): Record<string, string>;
  getMetrics(): PoolMetrics;
  /** Runs one attempt of a request on one server (a probe, with `background: true`). */
  execute(server: ServerView, request: RequestInfo, options?: ExecuteOptions): Promise<unknown>;
  /** Membership, for discovery plugins: see `ServerPool.sync`, `addServer`, `removeServer`. */
  sync(
    configs: readonly ServerConfig[],
  ): Promise<{ added: string[]; removed: string[]; updated: string[] }>;
  addServer(config: ServerConfig): ServerView;
  removeServer(serverId: string): Promise<void>;
  /** Reconnects a down server now instead of after its backoff. */
  reconnect(serverId: string): void;
}

/**
 * Something that plugs into the pool: health checkers, breakers, exporters,
 * caches. Every hook is optional; the pool runs them in the order plugins
 * were installed (the first installed is the outermost wrapper).
 */
export interface PoolPlugin {
  readonly name: string;
  /** Wraps every attempt on one server (a breaker, a per-attempt timeout). */
  readonly wrapAttempt?: AttemptMiddleware | undefined;
  /** Wraps every whole call of every client of the pool (a cache, a batcher). */
  readonly wrapCall?: CallMiddleware | undefined;
  /**
   * Hears how every attempt ended, after the balancers and the `attempt`
   * event's listeners. A throwing hook is reported as `pool:error` and the
   * others still run.
   */
  readonly onAttempt?: ((report: AttemptReport) => void) | undefined;
  /** @deprecated Use `wrapAttempt`; this name goes in the next minor version. */
  readonly attempt?: AttemptMiddleware | undefined;
  /** Called once when installed; returns what undoes it. */
  attach?(pool: PoolHost): Detach | undefined;
}
