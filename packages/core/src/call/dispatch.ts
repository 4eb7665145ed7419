import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import type { ServerPool } from '../pool/server-pool.js';
import type { Aggregator } from '../spec/aggregator.js';
import type { CallContext, CallMiddleware } from '../spec/call.js';
import { NoServerAvailableError, UnsafeAggregationError } from '../spec/errors.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import { type CallRunner, CallSignals, first, runCall } from './call.js';
import type { CallFigures, CallHost, Merge, Pages } from './host.js';

/** A call pinned to one server runs there once: no fan-out, no retry elsewhere. Stateless, so shared. */
const PINNED = first();

/** What one call asks for (the client's `CallOptions`). */
export interface DispatchOptions {
  readonly signal?: AbortSignal | undefined;
  readonly timeout?: number | undefined;
  readonly server?: string | undefined;
  readonly aggregation?: Aggregator | undefined;
  readonly onprogress?: ((progress: Progress) => void) | undefined;
}

/** A client's settings for its calls. */
export interface DispatchSettings {
  readonly aggregation: Aggregator;
  readonly requestTimeout: number;
  readonly maxRetries: number;
}

/**
 * Where every whole call of one client starts: the call middleware (the
 * pool's plugins' `wrapCall` first, then the client's own), the refusal of
 * fan-out for unsafe requests, the candidates and the count the retry budget
 * (below) keeps of calls; the call itself runs in call.ts.
 */
export class Dispatcher implements CallRunner {
  /** The client's own call middleware (`client.use`). */
  readonly middleware: CallMiddleware[] = [];
  readonly signals = new CallSignals();

  constructor(
    private readonly pool: ServerPool,
    readonly host: CallHost,
    private readonly settings: DispatchSettings,
    readonly figures: CallFigures,
    private readonly assertOpen: () => void,
  ) {}

  /** The aggregation a call runs with. */
  aggregationOf(options: DispatchOptions): Aggregator {
    return options.server !== undefined
      ? PINNED
      : (options.aggregation ?? this.settings.aggregation);
  }

  /** Runs `inner` through every call middleware, with a context that collects who answered. */
  withMiddleware(
    request: RequestInfo,
    options: DispatchOptions,
    inner: (context: CallContext) => Promise<unknown>,
  ): Promise<unknown> {
    const context: CallContext = {
      request,
      server: options.server,
      signal: options.signal,
      aggregation: this.aggregationOf(options),
      answeredBy: [],
    };
    const outer = this.pool.callWrappers;
    const own = this.middleware;
    const step = (i: number, ctx: CallContext): Promise<unknown> => {
      const mw = i < outer.length ? outer[i] : own[i - outer.length];
      return mw ? mw(ctx, (next) => step(i + 1, next)) : inner(ctx);
    };
    return step(0, context);
  }

  /**
   * Runs one call. The client checks that it is open in the same tick; a call
   * that goes through middleware first is checked again when it reaches the
   * pool, since middleware may take its time.
   */
  run(
    request: RequestInfo,
    description: string,
    offering: readonly string[] | undefined,
    options: DispatchOptions,
    merge?: Merge,
    pages?: Pages,
  ): Promise<unknown> {
    if (this.middleware.length === 0 && this.pool.callWrappers.length === 0) {
      return this.dispatch(request, description, offering, options, undefined, merge, pages);
    }
    return this.withMiddleware(request, options, (context) => {
      try {
        this.assertOpen();
      } catch (error) {
        return Promise.reject(error);
      }
      return this.dispatch(
        context.request,
        description,
        offering,
        options,
        context.answeredBy,
        merge,
        pages,
      );
    });
  }

  private dispatch(
    request: RequestInfo,
    description: string,
    offering: readonly string[] | undefined,
    options: DispatchOptions,
    answeredBy: string[] | undefined,
    merge: Merge | undefined,
    pages: Pages | undefined,
  ): Promise<unknown> {
    // Not async: the call runs (and is awaited) in call.ts, whose promise goes to the caller as is.
    const pinned = options.server !== undefined;
    const aggregation = this.aggregationOf(options);
    let candidates: readonly ServerView[];
    try {
      if (aggregation.fanOut && !request.safe) {
        this.figures.finish(false, performance.now(), aggregation.name);
        throw new UnsafeAggregationError(aggregation.name, description);
      }
      const pinnedServer = pinned ? this.pool.server(options.server as string) : undefined;
      candidates = pinnedServer
        ? [pinnedServer]
        : this.host.selection.forRequest(request, offering).servers;
      if (candidates.length === 0) {
        this.figures.finish(false, performance.now(), aggregation.name);
        throw new NoServerAvailableError(
          `No server is available for ${description}: every server that offers it is down, ejected or draining.`,
        );
      }
    } catch (error) {
      return Promise.reject(error);
    }
    this.host.budget?.recordRequest();
    return runCall(
      this,
      aggregation,
      request,
      description,
      candidates,
      offering,
      options,
      pinned,
      pinned ? 0 : this.settings.maxRetries,
      options.timeout ?? this.settings.requestTimeout,
      merge,
      pages,
      answeredBy,
    );
  }
}

/*
 * The retry budget lives here, beside the start of every call that feeds it:
 * a call counted on its way in crosses no other file for it.
 */

/** Bounds on retries so that they cannot multiply load during an outage. */
export interface RetryBudgetOptions {
  /** Retries allowed as a share of recent requests. @default 0.2 */
  ratio?: number;
  /** Retries always allowed per second, so a quiet client can still retry. @default 10 */
  minPerSecond?: number;
  /** Window over which requests and retries are counted, ms. @default 10_000 */
  windowMs?: number;
}

/**
 * A retry budget (as in Finagle and Linkerd): retries may be at most `ratio` of
 * the requests seen in the window, plus a small floor. When every server is
 * down, clients stop hammering them instead of tripling the load.
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly floor: number;
  private readonly bucketMs: number;
  private readonly requests: Uint32Array;
  private readonly retries: Uint32Array;
  private bucketStart = 0;
  private bucket = 0;

  constructor(
    options: RetryBudgetOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.ratio = options.ratio ?? 0.2;
    const windowMs = options.windowMs ?? 10_000;
    this.floor = (options.minPerSecond ?? 10) * (windowMs / 1000);
    this.requests = new Uint32Array(10);
    this.retries = new Uint32Array(10);
    this.bucketMs = windowMs / 10;
    this.bucketStart = this.now();
  }

  /** Counts one original request. */
  recordRequest(): void {
    this.advance();
    this.requests[this.bucket] = (this.requests[this.bucket] ?? 0) + 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryTake(): boolean {
    this.advance();
    let requests = 0;
    let retries = 0;
    for (let i = 0; i < this.requests.length; i++) {
      requests += this.requests[i] ?? 0;
      retries += this.retries[i] ?? 0;
    }
    if (retries + 1 > this.floor + requests * this.ratio) return false;
    this.retries[this.bucket] = (this.retries[this.bucket] ?? 0) + 1;
    return true;
  }

  private advance(): void {
    const now = this.now();
    let steps = Math.floor((now - this.bucketStart) / this.bucketMs);
    if (steps <= 0) return;
    this.bucketStart += steps * this.bucketMs;
    steps = Math.min(steps, this.requests.length);
    for (let i = 0; i < steps; i++) {
      this.bucket = (this.bucket + 1) % this.requests.length;
      this.requests[this.bucket] = 0;
      this.retries[this.bucket] = 0;
    }
  }
}
