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
  readonly controller?: AbortController | undefined;
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
 * (retry-budget.ts) keeps of calls; the call itself runs in call.ts.
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
      signal: options.signal ?? options.controller?.signal,
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
