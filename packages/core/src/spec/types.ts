import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

/** How to reach one MCP server. */
export type TransportConfig =
  | {
      type: 'stdio';
      command: string;
      args?: string[] | undefined;
      env?: Record<string, string> | undefined;
      cwd?: string | undefined;
      /** What to do with the child's stderr. @default 'inherit' */
      stderr?: 'inherit' | 'ignore' | 'pipe' | undefined;
    }
  | { type: 'streamable-http'; url: string; headers?: Record<string, string> | undefined }
  | { type: 'sse'; url: string; headers?: Record<string, string> | undefined }
  | {
      type: 'custom';
      /** Called once for every new connection: return a fresh, unstarted SDK transport. */
      create: () => Transport | Promise<Transport>;
    };

/** One server of the pool, as the user describes it. */
export interface ServerConfig {
  /** Unique id; letters, digits, `-` and `_` only (it prefixes tool names on conflict). */
  id: string;
  /** Human name for logs and dashboards. @default id */
  name?: string | undefined;
  transport: TransportConfig;
  /** Higher is preferred by the priority balancer. @default 0 */
  priority?: number | undefined;
  /** Share of traffic for weighted balancers; 0 drains the server. @default 1 */
  weight?: number | undefined;
  /** Free-form labels (zone, version, ...). @default [] */
  tags?: string[] | undefined;
  /** Overrides the pool's `maxConnectionsPerServer` for this server. */
  maxConnections?: number | undefined;
}

/** Where a server stands. */
export type ServerState = 'connecting' | 'connected' | 'down' | 'draining' | 'closed';

/**
 * The read-only view of a server that balancers, aggregators and plugins see.
 * Figures are live: read them at the moment of decision.
 */
export interface ServerView {
  readonly id: string;
  readonly name: string;
  readonly weight: number;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly state: ServerState;
  /** In selection: connected (or connectable) and not excluded by any source. */
  readonly healthy: boolean;
  /** Requests in flight on this server now. */
  readonly inFlight: number;
  /** Exponentially weighted moving average of successful latency, ms; undefined before the first. */
  readonly latencyEwmaMs: number | undefined;
}

/** What a request is, for routing, balancing, caching and the failure rules. */
export interface RequestInfo {
  /** MCP method, e.g. `tools/call`, `resources/read`. */
  readonly method: string;
  /** Params as sent upstream (tool names already un-namespaced). */
  readonly params: unknown;
  /** Harmless to repeat: retries, fallback and fan-out aggregations are allowed. */
  readonly safe: boolean;
  /** Tool, prompt or resource the request names, if any (as the caller spelled it). */
  readonly target?: string | undefined;
  /** Optional affinity key (user, conversation) for consistent hashing. */
  readonly key?: string | undefined;
}

/** How one attempt on one server ended, as health checkers and balancers see it. */
export type AttemptOutcome =
  /** The server answered (an `isError: true` tool result is an answer too). */
  | 'success'
  /** The server answered with an error that is the caller's (invalid params, not found). */
  | 'rejected'
  /** Transport failure, closed connection, JSON-RPC internal or parse error: the server's fault. */
  | 'server-error'
  /** No answer within the time budget. */
  | 'timeout'
  /** The caller gave up; says nothing about the server. */
  | 'aborted';

/** Reported to balancers and listeners after every attempt. */
export interface AttemptReport {
  readonly server: ServerView;
  readonly method: string;
  readonly request: RequestInfo;
  /** A background attempt (a health check), not traffic: not counted in request figures or balancer feedback. */
  readonly background: boolean;
  readonly outcome: AttemptOutcome;
  readonly latencyMs: number;
  readonly error?: unknown;
}

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

/** Options of one attempt on one server. */
export interface AttemptOptions {
  signal?: AbortSignal | undefined;
  /** Time budget of this attempt, ms. */
  timeout?: number | undefined;
}

/**
 * What an aggregation strategy gets for one client call: who can serve it and
 * a way to try one of them. Strategies live in `@mcpool/aggregators`; the
 * client's built-in default is `first` (balanced pick, retries, then fallback).
 */
export interface AggregationJob<T> {
  readonly request: RequestInfo;
  /** Human description for errors, e.g. `tools/call "add"`. */
  readonly description: string;
  /** Servers in selection that can serve the request (all offering servers in panic mode). */
  readonly candidates: readonly ServerView[];
  /** Servers of `fallback.order` that can serve the request, in that order (empty when fallback is off). */
  readonly fallback: readonly ServerView[];
  /** The call's own signal: aborts on the caller's abort, the client's close and the call's deadline. Made on first use. */
  readonly signal: AbortSignal;
  readonly maxRetries: number;
  /** Picks with the client's balancer among candidates not in `exclude`. */
  pick(exclude?: ReadonlySet<string>): ServerView | undefined;
  /** Runs one attempt on one server through the attempt middleware, with metrics and events. */
  attempt(server: ServerView, options?: AttemptOptions): Promise<T>;
  /**
   * Whether an attempt's error may be retried on another server: false for the
   * caller's errors and for unsafe requests that may have run.
   */
  canRetry(error: unknown): boolean;
  /** Full-jitter backoff before retry number `n` (1-based); resolves early never, rejects on abort. */
  backoff(n: number): Promise<void>;
  /** Asks the retry budget for one retry; false when retries must stop to protect the servers. */
  takeRetry(): boolean;
  /** Records a retry or fallback for metrics and events. */
  note(kind: 'retry' | 'fallback', from: string | undefined, to: string): void;
  /** Merges catalog pages from several servers; present for catalog requests only. */
  merge?(results: ReadonlyArray<{ server: ServerView; value: T }>): T;
}

/** Decides how results from several servers become one answer. */
export interface Aggregator {
  readonly name: string;
  /** True when the strategy may send one request to several servers (only for safe requests). */
  readonly fanOut: boolean;
  run<T>(job: AggregationJob<T>): Promise<T>;
}

/** A resource subscription of a `MultiServerClient` (`subscribeResource`). */
export interface ResourceSubscription {
  readonly uri: string;
  /** The servers that hold it (accepted it, or had it for another holder already). */
  readonly servers: readonly string[];
  /** Ends it; a server's subscription ends upstream when its last holder leaves. */
  unsubscribe(): Promise<void>;
}

/** Context of one attempt on one server, for attempt middleware. */
export interface AttemptContext {
  readonly server: ServerView;
  readonly request: RequestInfo;
  /**
   * Aborts when the caller gives up or the client or pool closes. It may be
   * shared with other calls, and the call's deadline does not abort it (the
   * SDK request's own timeout carries that): remove any listener you add.
   */
  readonly signal: AbortSignal;
}

/** Wraps each attempt on one server (breaker, timeout, metrics). */
export type AttemptMiddleware = (
  context: AttemptContext,
  next: () => Promise<unknown>,
) => Promise<unknown>;

/** Context of one whole client call, for call middleware. */
export interface CallContext {
  readonly request: RequestInfo;
  /** Server the caller pinned the call to, if any. */
  readonly server: string | undefined;
  readonly signal: AbortSignal | undefined;
  /**
   * How the call combines servers' answers: the call's `aggregation` option,
   * else the client's; `firstSuccessful()` when pinned to a server. Two calls
   * with the same request but fan-out aggregations of different names may
   * answer differently (a cache keys on the name).
   */
  readonly aggregation: Aggregator;
}

/** Wraps each whole client call (cache, batch, retry policies). */
export type CallMiddleware = (
  context: CallContext,
  next: (context: CallContext) => Promise<unknown>,
) => Promise<unknown>;

/** Releases what a plugin attached. */
export type Detach = () => void | Promise<void>;
