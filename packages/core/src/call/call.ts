import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Candidates } from '../pool/options.js';
import type { ServerPool } from '../pool/server-pool.js';
import type { AggregationJob } from '../spec/aggregator.js';
import type { AttemptOptions } from '../spec/attempt.js';
import type { Balancer } from '../spec/balancer.js';
import { TimeoutError } from '../spec/errors.js';
import type { ExecuteOptions } from '../spec/plugin.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import { abortReason, linkSignals } from '../util/abort.js';
import type { BackoffOptions } from '../util/backoff.js';
import type { CallScope } from './call-scope.js';
import { backoffBefore, failureOfCall, mayRetry } from './retry.js';
import type { RetryBudget } from './retry-budget.js';

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
  readonly budget: RetryBudget | undefined;
  readonly backoff: BackoffOptions;
  /** The fallback servers of a call that may fall back (empty when fallback is off). */
  fallbackServers(offering: readonly string[] | undefined): ServerView[];
  noteRetry(): void;
}

/** An attempt with no options of its own (most of them): one object for all, never changed. */
const NO_OPTIONS: AttemptOptions = Object.freeze({});

type Merge = (results: ReadonlyArray<{ server: ServerView; value: unknown }>) => unknown;
type Pages = (attempt: (params: unknown) => Promise<unknown>) => Promise<unknown>;

/**
 * One client call as its aggregation strategy sees it. A class rather than an
 * object of closures: the pool's own cost per call is a few microseconds, and
 * a dozen closures and an eagerly built fallback list were a good share of it.
 */
export class Call implements AggregationJob<unknown> {
  /** Set once an attempt went to a fallback server. */
  fellBack = false;
  readonly merge: Merge | undefined;
  private fallbackList: readonly ServerView[] | undefined;

  constructor(
    private readonly host: CallHost,
    readonly scope: CallScope,
    readonly request: RequestInfo,
    readonly description: string,
    readonly candidates: readonly ServerView[],
    private readonly offering: readonly string[] | undefined,
    /** Pinned calls go to one server: no retries elsewhere, no fallback. */
    private readonly pinned: boolean,
    readonly maxRetries: number,
    private readonly timeoutMs: number,
    private readonly onprogress: ((progress: Progress) => void) | undefined,
    merge: Merge | undefined,
    private readonly pages: Pages | undefined,
    /** Collects the servers that answered, for call middleware; undefined when none listens. */
    private readonly answeredBy?: string[] | undefined,
  ) {
    this.merge = merge;
  }

  /** Made on first use: most calls never fall back. */
  get fallback(): readonly ServerView[] {
    this.fallbackList ??= this.pinned ? [] : this.host.fallbackServers(this.offering);
    return this.fallbackList;
  }

  /** The call's own signal, made on first use (see CallScope). */
  get signal(): AbortSignal {
    return this.scope.signal;
  }

  pick(exclude?: ReadonlySet<string>): ServerView | undefined {
    const candidates = this.candidates;
    const open =
      exclude && exclude.size > 0 ? candidates.filter((c) => !exclude.has(c.id)) : candidates;
    return open.length === 0 ? undefined : this.host.balancer.pick(open, this.request);
  }

  attempt(server: ServerView, options: AttemptOptions = NO_OPTIONS): Promise<unknown> {
    const pages = this.pages;
    return pages
      ? pages((params) => this.runOne(server, options, params))
      : this.runOne(server, options, this.request.params);
  }

  canRetry(error: unknown): boolean {
    return mayRetry(this.scope, error);
  }

  backoff(n: number): Promise<void> {
    return backoffBefore(n, this.host.backoff, this.scope);
  }

  takeRetry(): boolean {
    return this.host.budget ? this.host.budget.tryTake() : true;
  }

  note(kind: 'retry' | 'fallback', from: string | undefined, to: string): void {
    const event = { method: this.request.method, target: this.request.target, from, to };
    if (kind === 'retry') {
      this.host.noteRetry();
      this.host.pool.emit('request:retry', event);
    } else {
      this.fellBack = true;
      this.host.pool.emit('request:fallback', event);
    }
  }

  /**
   * One attempt of the call. Not async: an attempt that answers goes straight
   * back to the strategy, without coming back here (the usual case: nobody
   * collects who answered and the attempt has no signal of its own).
   */
  private runOne(server: ServerView, options: AttemptOptions, params: unknown): Promise<unknown> {
    const { scope, request, description, host } = this;
    const attemptSignal = scope.attemptSignal;
    if (attemptSignal.aborted) return Promise.reject(abortReason(attemptSignal, description));
    const remaining = scope.deadline - performance.now();
    if (remaining <= 0) return Promise.reject(new TimeoutError(description, this.timeoutMs));
    // An attempt's own signal (hedging, say) is linked in; a plain attempt sends with the call's.
    const link = options.signal ? linkSignals(attemptSignal, options.signal) : undefined;
    const budget = options.timeout ?? host.attemptTimeout;
    const fail = (error: unknown): never => {
      throw failureOfCall(
        scope,
        host.pool.isClosed,
        request,
        description,
        server.id,
        this.timeoutMs,
        error,
      );
    };
    let pending: Promise<unknown>;
    try {
      pending = host.attempts.execute(
        server,
        params === request.params ? request : { ...request, params },
        {
          signal: link ? link.signal : attemptSignal,
          deadline: scope.deadline,
          // Only a budget shorter than the call's needs a timer of its own.
          timeout: budget !== undefined && budget < remaining ? budget : undefined,
          onprogress: this.onprogress,
          balancer: host.balancer,
        },
      );
    } catch (error) {
      link?.dispose();
      return Promise.reject(error).catch(fail);
    }
    const answeredBy = this.answeredBy;
    if (link === undefined && answeredBy === undefined) return pending.catch(fail);
    return pending.then(
      (value) => {
        answeredBy?.push(server.id);
        link?.dispose();
        return value;
      },
      (error: unknown) => {
        try {
          return fail(error);
        } finally {
          link?.dispose();
        }
      },
    );
  }
}
