import type { Aggregator } from './aggregator.js';
import type { RequestInfo } from './server.js';

/** Context of one whole client call, for call middleware. */
export interface CallContext {
  readonly request: RequestInfo;
  /** Server the caller pinned the call to, if any. */
  readonly server: string | undefined;
  readonly signal: AbortSignal | undefined;
  /**
   * How the call combines servers' answers: the call's `aggregation` option,
   * else the client's; `first()` when pinned to a server. Two calls
   * with the same request but fan-out aggregations of different names may
   * answer differently (a cache keys on the name).
   */
  readonly aggregation: Aggregator;
  /**
   * The servers whose attempts answered this call, filled in as attempts
   * succeed: read it after `next()` settles. Every copy of the context made
   * with a spread shares the one list. Core always sets it; it is optional so
   * that contexts made by hand (tests, adapters) need not.
   */
  readonly answeredBy?: string[] | undefined;
}

/** Wraps each whole client call (cache, batch, retry policies). */
export type CallMiddleware = (
  context: CallContext,
  next: (context: CallContext) => Promise<unknown>,
) => Promise<unknown>;
