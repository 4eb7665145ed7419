import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Candidates } from '../pool/options.js';
import type { ServerPool } from '../pool/server-pool.js';
import type { Balancer } from '../spec/balancer.js';
import type { ExecuteOptions } from '../spec/plugin.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import type { BackoffOptions } from '../util/backoff.js';

/*
 * What a client's calls need of it, as types: the client builds them once,
 * its dispatcher runs every call with them (call.ts).
 */

/** What a call needs of its client: one per client, shared by its calls. */
export interface CallHost {
  readonly pool: ServerPool;
  /** Runs an attempt: the pool's attempts themselves (`callPathOf`), or the pool's `execute`. */
  readonly attempts: {
    execute(view: ServerView, request: RequestInfo, options: ExecuteOptions): Promise<unknown>;
  };
  /** A call's candidates: the pool's own cache (`callPathOf`), or the pool's `candidates`. */
  readonly selection: {
    forRequest(request: RequestInfo, offering: readonly string[] | undefined): Candidates;
  };
  readonly balancer: Balancer;
  readonly attemptTimeout: number | undefined;
  /** The client's retry budget (`RetryBudget`, retry-budget.ts): every call feeds it, retries spend it. */
  readonly budget: { recordRequest(): void; tryTake(): boolean } | undefined;
  readonly backoff: BackoffOptions;
  /** The fallback servers of a call that may fall back (empty when fallback is off). */
  fallbackServers(offering: readonly string[] | undefined): ServerView[];
  noteRetry(): void;
}

/** Where the figures of whole calls go. */
export interface CallFigures {
  finish(ok: boolean, started: number, strategy: string, fellBack?: boolean): void;
}

/** What one call asks for, of what the caller passed. */
export interface CallAsks {
  readonly signal?: AbortSignal | undefined;
  /** A controller of this call alone, used as its own (see `CallOptions.controller`). */
  readonly controller?: AbortController | undefined;
  readonly onprogress?: ((progress: Progress) => void) | undefined;
}

/** Merges catalog pages from several servers (catalog requests only). */
export type Merge = (results: ReadonlyArray<{ server: ServerView; value: unknown }>) => unknown;
/** Walks the pages of a catalog request, one attempt per page. */
export type Pages = (attempt: (params: unknown) => Promise<unknown>) => Promise<unknown>;
