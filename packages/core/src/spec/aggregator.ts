import type { AttemptOptions } from './attempt.js';
import type { RequestInfo, ServerView } from './server.js';

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
