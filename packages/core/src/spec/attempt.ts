import type { RequestInfo, ServerView } from './server.js';

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
  /** The JSON-RPC id of the request sent upstream; undefined when it was never sent. */
  readonly requestId?: string | number | undefined;
  /** The MCP protocol version of the session the request went on; undefined when it was never sent. */
  readonly protocolVersion?: string | undefined;
}

/** Options of one attempt on one server. */
export interface AttemptOptions {
  signal?: AbortSignal | undefined;
  /** Time budget of this attempt, ms. */
  timeout?: number | undefined;
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
  /**
   * The JSON-RPC id of the request on the wire, once `next()` has sent it
   * (read it while it is pending or after it settles); undefined before.
   */
  readonly requestId?: string | number | undefined;
  /** The MCP protocol version of the session the request went on, once sent. */
  readonly protocolVersion?: string | undefined;
}

/**
 * Wraps each attempt on one server (breaker, timeout, metrics, tracing).
 * `next(context)` with a context whose `request` differs sends that request
 * instead (its params, say, with trace context in `_meta`); the server and
 * signal stay the attempt's own.
 */
export type AttemptMiddleware = (
  context: AttemptContext,
  next: (context?: AttemptContext) => Promise<unknown>,
) => Promise<unknown>;
