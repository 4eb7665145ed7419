/*
 * Over 350 lines: one client call, whole — its scope (deadline, signals), what
 * its strategy sees, the default strategy's first attempt and the call's end.
 * Kept in one file on purpose: every call crosses it, and each part moved out
 * would be a call into another file and back (core's README traces the path).
 */
import { setMaxListeners } from 'node:events';
import type { Progress } from '@modelcontextprotocol/sdk/types.js';
import { markShared } from '../connection/cancellable-requests.js';
import type { AggregationJob, Aggregator } from '../spec/aggregator.js';
import type { AttemptOptions } from '../spec/attempt.js';
import { McpoolError, PoolClosedError, TimeoutError } from '../spec/errors.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import { abortReason, linkSignals, MAX_TIMER_MS } from '../util/abort.js';
import type { CallAsks, CallFigures, CallHost, Merge, Pages } from './host.js';
import { backoffBefore, failureOfCall, fallBack, mayRetry, retry } from './retry.js';

/**
 * Why calls share signals: Node 20 spends about 2.5 µs making an AbortSignal
 * (it changes a fresh EventTarget's prototype), a tenth of a whole MCP call
 * over InMemoryTransport. A call without a caller's signal therefore gets no
 * signal of its own unless something asks for one; its attempts carry a
 * signal shared by many calls, which only the client's `close()` aborts, and
 * its deadline travels as the SDK request's own timeout (the SDK sets that
 * timer for every request anyway).
 *
 * The SDK is not given a shared signal: it would add an abort listener per
 * request and never take it off. `sendCancellable` keeps the request in the
 * shared signal's own list instead, for as long as it is pending; aborting
 * the signal rejects what is pending and tells each server which requests it
 * can stop. A shared signal is let go every `GENERATION_SIZE` calls, once its
 * last call has ended, and after `IDLE_MS` at rest.
 */
const GENERATION_SIZE = 64;
const IDLE_MS = 100;

interface Generation {
  readonly controller: AbortController;
  started: number;
  inFlight: number;
}

/** The signals of one client's calls in flight; `abort()` ends them all. */
export class CallSignals {
  private current: Generation | undefined;
  private readonly generations = new Set<Generation>();
  /** Lets go of the current generation once the client is at rest. */
  private idle: NodeJS.Timeout | undefined;
  private readonly own = new Set<AbortController>();
  private reason: { value: unknown } | undefined;

  /** A shared signal for one more call; give it back with `release`. */
  acquire(): Generation {
    let generation = this.current;
    if (!generation || generation.started >= GENERATION_SIZE) {
      const controller = new AbortController();
      markShared(controller.signal);
      // Short-lived listeners of mcpool's own (deadline races) may pile up on a busy client.
      setMaxListeners(GENERATION_SIZE * 4, controller.signal);
      if (this.reason) controller.abort(this.reason.value);
      generation = { controller, started: 0, inFlight: 0 };
      if (this.current && this.current.inFlight === 0) this.generations.delete(this.current);
      this.current = generation;
      this.generations.add(generation);
    }
    generation.started++;
    generation.inFlight++;
    return generation;
  }

  release(generation: Generation): void {
    generation.inFlight--;
    if (generation.inFlight > 0) return;
    if (generation !== this.current) this.generations.delete(generation);
    // One timer at a time, whatever the traffic: a tight loop of calls re-arms nothing.
    else if (!this.reason) this.idle ??= setTimeout(() => this.sweep(), IDLE_MS).unref();
  }

  private sweep(): void {
    this.idle = undefined;
    const current = this.current;
    if (!current) return;
    if (current.inFlight > 0) return;
    this.generations.delete(current);
    this.current = undefined;
  }

  /** A controller of one call's own, aborted with the others. */
  track(controller: AbortController): void {
    if (this.reason) controller.abort(this.reason.value);
    else this.own.add(controller);
  }

  untrack(controller: AbortController): void {
    this.own.delete(controller);
  }

  /** Aborts every call in flight, and every call that starts from now on. */
  abort(reason: unknown): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.reason ??= { value: reason };
    for (const generation of this.generations) generation.controller.abort(reason);
    for (const controller of this.own) controller.abort(reason);
    this.own.clear();
  }
}

/**
 * One client call's lifetime: its deadline, the caller's signal and the
 * client's close. `attemptSignal` is what attempts send with; `signal` is the
 * call's own (made on first use), which also aborts at the deadline.
 */
export class CallScope {
  readonly deadline: number;
  /**
   * The signal attempts send with: the call's own once it has one, else a
   * shared one. A field, set when that changes: every attempt reads it.
   */
  attemptSignal: AbortSignal;
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly generation: Generation | undefined;
  private readonly onCallerAbort: (() => void) | undefined;

  constructor(
    private readonly signals: CallSignals,
    private readonly caller: AbortSignal | undefined,
    private readonly timeoutMs: number,
    private readonly description: string,
    /** When the call started, as `performance.now()`. */
    started: number = performance.now(),
    /** A controller of the caller's that serves this call alone: it becomes the call's own. */
    given?: AbortController,
  ) {
    this.deadline = started + timeoutMs;
    if (caller) this.onCallerAbort = () => this.controller?.abort(caller.reason);
    if (given || caller) {
      this.attemptSignal = this.ownController(given).signal;
    } else {
      this.generation = signals.acquire();
      this.attemptSignal = this.generation.controller.signal;
    }
  }

  /** The call's own signal: aborts at the deadline, on the caller's abort and on close. */
  get signal(): AbortSignal {
    return (this.controller ?? this.ownController()).signal;
  }

  /** True when the caller aborted or the client closed (not when merely past the deadline). */
  get aborted(): boolean {
    return this.attemptSignal.aborted;
  }

  /** Milliseconds left until the deadline (negative once past it). */
  remaining(): number {
    return this.deadline - performance.now();
  }

  end(): void {
    clearTimeout(this.timer);
    if (this.controller) {
      this.signals.untrack(this.controller);
      if (this.onCallerAbort) this.caller?.removeEventListener('abort', this.onCallerAbort);
    }
    if (this.generation) this.signals.release(this.generation);
  }

  private ownController(controller = new AbortController()): AbortController {
    this.controller = controller;
    this.attemptSignal = controller.signal;
    this.signals.track(controller);
    if (this.generation?.controller.signal.aborted) {
      controller.abort(this.generation.controller.signal.reason);
    }
    const caller = this.caller;
    if (caller && this.onCallerAbort) {
      if (caller.aborted) this.onCallerAbort();
      else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    // Node fires timers of 2^31 ms or more at once; an infinite budget gets no timer at all.
    if (Number.isFinite(this.timeoutMs) && !controller.signal.aborted) {
      this.timer = setTimeout(
        () => controller.abort(new TimeoutError(this.description, this.timeoutMs)),
        Math.min(Math.max(1, this.remaining()), MAX_TIMER_MS),
      );
    }
    return controller;
  }
}

/** What runs the calls of one client (its dispatcher). */
export interface CallRunner {
  readonly host: CallHost;
  readonly signals: CallSignals;
  readonly figures: CallFigures;
}

/** An attempt with no options of its own (most of them): one object for all, never changed. */
const NO_OPTIONS: AttemptOptions = Object.freeze({});

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

/**
 * Runs one call with its strategy, from its scope to its end: the figures of
 * the whole call and which error the caller sees. The one place an answer
 * comes back to on its way out: the strategy's and the attempt's own handlers
 * wait for a failure only.
 */
export async function runCall(
  runner: CallRunner,
  aggregation: Aggregator,
  request: RequestInfo,
  description: string,
  candidates: readonly ServerView[],
  offering: readonly string[] | undefined,
  asks: CallAsks,
  pinned: boolean,
  maxRetries: number,
  timeoutMs: number,
  merge: Merge | undefined,
  pages: Pages | undefined,
  answeredBy: string[] | undefined,
): Promise<unknown> {
  const { host, figures } = runner;
  const started = performance.now();
  if (asks.controller !== undefined && !(asks.controller instanceof AbortController)) {
    // A failed call in the figures too, as a failed routing step is.
    figures.finish(false, started, aggregation.name);
    throw new TypeError(
      `${description}: options.controller must be an AbortController (to pass an AbortSignal, use options.signal).`,
    );
  }
  const scope = new CallScope(
    runner.signals,
    asks.signal,
    timeoutMs,
    description,
    started,
    asks.controller,
  );
  const call = new Call(
    host,
    scope,
    request,
    description,
    candidates,
    offering,
    pinned,
    maxRetries,
    timeoutMs,
    asks.onprogress,
    merge,
    pages,
    answeredBy,
  );
  let result: unknown;
  try {
    result = await aggregation.run(call);
  } catch (error) {
    figures.finish(false, started, aggregation.name, call.fellBack);
    const thrown =
      McpoolError.isInstance(error) && error.code === 'REQUEST_MAY_HAVE_RUN'
        ? error
        : host.pool.isClosed
          ? new PoolClosedError()
          : scope.aborted
            ? abortReason(scope.attemptSignal, description)
            : error;
    scope.end();
    throw thrown;
  }
  scope.end();
  figures.finish(true, started, aggregation.name, call.fellBack);
  return result;
}

/**
 * The seed's "first successful": the balanced pick, then up to `maxRetries`
 * retries on other servers (full-jitter backoff, within the retry budget),
 * then the fallback order; an error only when all fail. The client's default.
 */
export function first(): Aggregator {
  return {
    name: 'first',
    fanOut: false,
    run<T>(job: AggregationJob<T>): Promise<T> {
      // Most calls succeed at once: the bookkeeping of retries (retry.ts) waits
      // for a failure, and an answer goes straight back to the caller. Not
      // async for that reason: an answer does not come back here on its way.
      let picked: ServerView | undefined;
      try {
        picked = job.pick();
      } catch (error) {
        return Promise.reject(error);
      }
      if (!picked) return fallBack(job, new Set(), [], undefined);
      const server = picked;
      let answer: Promise<T>;
      try {
        answer = job.attempt(server);
      } catch (error) {
        answer = Promise.reject(error);
      }
      return answer.catch((error: unknown) => {
        if (!job.canRetry(error)) throw error;
        return retry(job, server, error);
      });
    },
  };
}
