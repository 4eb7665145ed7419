import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RetryBudgetOptions } from '../call/retry-budget.js';
import type { Aggregator } from '../spec/aggregator.js';
import type { Balancer } from '../spec/balancer.js';
import { MAX_TIMER_MS } from '../util/abort.js';
import type { BackoffOptions } from '../util/backoff.js';

/** Options of a `MultiServerClient`. Every one is optional. */
export interface MultiServerClientOptions {
  /** How results from several servers become one. @default first() */
  aggregation?: Aggregator | undefined;
  /** Picks servers for this client's calls. @default the pool's balancer */
  balancer?: Balancer | undefined;
  /** After the balanced pick and retries fail, try these servers in order. */
  fallback?: { enabled?: boolean | undefined; order?: string[] | undefined } | undefined;
  /** Time budget of a whole call, retries included, ms. @default 30_000 */
  requestTimeout?: number | undefined;
  /** Time budget of one attempt on one server, ms; lower it to leave room for retries. @default requestTimeout */
  attemptTimeout?: number | undefined;
  /** Retries on other servers after the first attempt (safe requests only). @default 3 */
  maxRetries?: number | undefined;
  /** Tools that are safe to repeat whatever their annotations say. */
  safeTools?: string[] | undefined;
  /** Tools never repeated, whatever their annotations say. Wins over `safeTools`. */
  unsafeTools?: string[] | undefined;
  /** Bounds retries to a share of traffic; `false` turns the budget off. @default { ratio: 0.2, minPerSecond: 10 } */
  retryBudget?: RetryBudgetOptions | false | undefined;
  /** Full-jitter backoff between retries, ms. @default { baseMs: 25, maxMs: 250 } */
  backoff?: BackoffOptions | undefined;
}

/** Options of one call. */
export interface CallOptions {
  signal?: AbortSignal | undefined;
  /**
   * A controller that serves this call alone, instead of `signal`: aborting
   * it cancels the call, and the pool uses it as the call's own (it aborts it
   * at the deadline and when the client closes) rather than making another.
   * Making an `AbortController` costs Node 20 a few microseconds per call; a
   * caller that makes one per call anyway (a gateway, for each downstream
   * request) saves the second. Once the call has settled the pool keeps no
   * listener or reference on it, so one that was not aborted may serve the
   * next call.
   */
  controller?: AbortController | undefined;
  /** Time budget of this call, ms. @default the client's requestTimeout */
  timeout?: number | undefined;
  /** Send to this server only (no balancing, no retries elsewhere). */
  server?: string | undefined;
  /** Aggregation for this call only. */
  aggregation?: Aggregator | undefined;
  /** Receives progress notifications of the call. */
  onprogress?: ((progress: Progress) => void) | undefined;
  /** Affinity key (user, conversation) for consistent-hash balancers. */
  key?: string | undefined;
}

/** Client-wide figures, as in the seed's client metrics. */
export interface ClientMetrics {
  totalRequests: number;
  successfulRequests: number;
  failedRequests: number;
  /** Mean latency of whole calls, ms. */
  averageLatency: number;
  latencyP50: number;
  latencyP95: number;
  latencyP99: number;
  /** Calls that reached a fallback server. */
  fallbackUsed: number;
  /** Retries on other servers. */
  retries: number;
  /** Calls by aggregation strategy name. */
  strategyUsage: Record<string, number>;
}

/** The fields of a retry budget, as the client and the gateway's config file both take them. */
export const retryBudgetFields = {
  ratio: z.number().min(0).max(10).optional(),
  minPerSecond: z.number().min(0).optional(),
  windowMs: z.number().int().positive().optional(),
};

/** The fields of a retry backoff, as the client and the gateway's config file both take them. */
export const backoffFields = {
  baseMs: z.number().min(0).optional(),
  maxMs: z.number().min(0).optional(),
};

/** The fields of the fallback order, as the client and the gateway's config file both take them. */
export const fallbackFields = {
  enabled: z.boolean().optional(),
  order: z.array(z.string()).optional(),
};

export const clientOptionsSchema = z.object({
  aggregation: z
    .custom<Aggregator>(
      (v) => typeof (v as Aggregator | undefined)?.run === 'function',
      'give an Aggregator, e.g. first()',
    )
    .optional(),
  balancer: z
    .custom<Balancer>(
      (v) => typeof (v as Balancer | undefined)?.pick === 'function',
      'give a Balancer',
    )
    .optional(),
  fallback: z.object(fallbackFields).optional(),
  requestTimeout: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  attemptTimeout: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  maxRetries: z.number().int().min(0).max(100).optional(),
  safeTools: z.array(z.string()).optional(),
  unsafeTools: z.array(z.string()).optional(),
  retryBudget: z.union([z.literal(false), z.object(retryBudgetFields)]).optional(),
  backoff: z.object(backoffFields).optional(),
});
