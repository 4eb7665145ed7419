/*
 * Over 350 lines: the whole life of an attempt, hot path and all. Kept in one
 * file on purpose: every call crosses it, and each step moved out would be a
 * call into another file and back (core's README traces the path).
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { PooledServer } from '../server/pooled-server.js';
import type {
  AttemptContext,
  AttemptMiddleware,
  AttemptOutcome,
  AttemptReport,
} from '../spec/attempt.js';
import type { Balancer } from '../spec/balancer.js';
import type { CallMiddleware } from '../spec/call.js';
import type { Connection, RequestOptions } from '../spec/connector.js';
import { McpoolError, PoolClosedError, TimeoutError, UnknownServerError } from '../spec/errors.js';
import type { PoolEvents } from '../spec/events.js';
import { classifyError, isUnreachableError, markUnsent, rememberFault } from '../spec/failure.js';
import type { ExecuteOptions, PoolPlugin } from '../spec/plugin.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import { abortReason, beforeDeadline, MAX_TIMER_MS, untilAborted } from '../util/abort.js';

/** Requests whose effect lives in the session that receives them: sent on the server's kept session. */
const SESSION_BOUND: ReadonlySet<string> = new Set([
  'resources/subscribe',
  'resources/unsubscribe',
]);

/** What the attempts of a pool need of it. */
export interface AttemptPool {
  readonly balancer: Balancer;
  readonly isClosed: boolean;
  emit<K extends keyof PoolEvents>(event: K, ...args: PoolEvents[K]): boolean;
  listenerCount(event: keyof PoolEvents): number;
}

/**
 * The life of one attempt on one server, for every attempt of a pool: the
 * plugins' `wrapAttempt` hooks around the send, in-flight accounting, the
 * attempt's own time budget, latency, the verdict on its error (computed
 * once, here), balancer feedback, the `attempt` event and `onAttempt` hooks.
 */
export class Attempts {
  totalRequests = 0;
  failedRequests = 0;
  /** Controllers of the attempts in flight, aborted when the pool closes. */
  readonly attempts = new Set<AbortController>();
  private wrappers: AttemptMiddleware[] = [];
  /** The plugins' `wrapCall` hooks, which every client of the pool runs around its calls. */
  callWrappers: readonly CallMiddleware[] = [];
  private observers: { name: string; hear: (report: AttemptReport) => void }[] = [];

  constructor(
    private readonly pool: AttemptPool,
    private readonly servers: ReadonlyMap<string, PooledServer>,
  ) {}

  /** Runs one attempt on the pool's server of `view` (see `ServerPool.execute`). */
  execute(view: ServerView, request: RequestInfo, options: ExecuteOptions): Promise<unknown> {
    if (this.pool.isClosed) return Promise.reject(new PoolClosedError());
    const server = this.servers.get(view.id);
    if (!server) {
      const error = new UnknownServerError(view.id, [...this.servers.keys()]);
      markUnsent(error);
      return Promise.reject(error);
    }
    return this.run(server, request, options);
  }

  /** Takes the hooks of the plugins installed now, in order. */
  setPlugins(plugins: readonly PoolPlugin[]): void {
    const wrappers: AttemptMiddleware[] = [];
    const observers: { name: string; hear: (report: AttemptReport) => void }[] = [];
    const callWrappers: CallMiddleware[] = [];
    for (const plugin of plugins) {
      if (plugin.wrapCall) callWrappers.push(plugin.wrapCall);
      // `attempt` is the hook's name before 0.2; one plugin gives one or the other.
      const wrap = plugin.wrapAttempt ?? plugin.attempt;
      if (wrap) wrappers.push(wrap);
      if (plugin.onAttempt) observers.push({ name: plugin.name, hear: plugin.onAttempt });
    }
    this.wrappers = wrappers;
    this.observers = observers;
    this.callWrappers = callWrappers;
  }

  /** Runs one attempt of `request` on `server` (see `ServerPool.execute`). */
  async run(server: PooledServer, request: RequestInfo, options: ExecuteOptions): Promise<unknown> {
    const caller = options.signal;
    const timeout = options.timeout;
    const timed = timeout !== undefined && Number.isFinite(timeout);
    const deadline =
      options.deadline !== undefined && Number.isFinite(options.deadline)
        ? options.deadline
        : undefined;
    // An attempt with its own time budget (or without a caller's signal) gets
    // its own controller; otherwise the caller's signal serves as is, which
    // saves a controller, a listener and a timer on every call.
    let controller: AbortController | undefined;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    if (timed || !caller) {
      const own = new AbortController();
      controller = own;
      this.attempts.add(own);
      if (caller?.aborted) own.abort(caller.reason);
      else if (caller) {
        onAbort = () => own.abort(caller.reason);
        caller.addEventListener('abort', onAbort, { once: true });
      }
      if (timed) {
        const budget = timeout as number;
        timer = setTimeout(
          () => own.abort(new TimeoutError(`${request.method} on server "${server.id}"`, budget)),
          Math.min(Math.max(1, budget), MAX_TIMER_MS),
        );
      }
    }
    const signal = controller ? controller.signal : (caller as AbortSignal);
    const background = options.background === true;
    // Balancers hear of traffic only: the pool's, and the caller's when it has another.
    const balancer = background ? undefined : this.pool.balancer;
    const extra =
      !background && options.balancer && options.balancer !== this.pool.balancer
        ? options.balancer
        : undefined;
    server.inFlight++;
    if (!background) {
      server.requestCount++;
      server.lastUsed = Date.now();
      this.totalRequests++;
    }
    balancer?.onStart?.(server);
    extra?.onStart?.(server);
    const started = performance.now();
    // One object per attempt holds what the send needs and learns: it is also
    // the context attempt middleware sees, so a call without middleware and
    // with an open connection makes no closure on the way to the connection.
    const run = new Run(
      server,
      request,
      signal,
      timed ? timeout : undefined,
      deadline,
      options,
      started,
    );
    const middleware = this.wrappers;
    let outcome: AttemptOutcome = 'success';
    let failure: unknown;
    try {
      return await (middleware.length === 0
        ? run.send(request)
        : runMiddleware(middleware, run, (sent) => run.send(sent)));
    } catch (caught) {
      // The SDK wraps an abort reason in its own RequestTimeout error; when the
      // abort was this attempt's own timeout, surface mcpool's TimeoutError.
      let error = caught;
      if (
        signal.aborted &&
        !caller?.aborted &&
        McpoolError.isInstance(signal.reason) &&
        error !== signal.reason
      ) {
        const reason = signal.reason as McpoolError & { cause?: unknown };
        if (reason.cause === undefined) reason.cause = caught;
        error = reason;
      } else if (
        deadline !== undefined &&
        caught instanceof McpError &&
        caught.code === ErrorCode.RequestTimeout &&
        performance.now() >= deadline - 1
      ) {
        // The SDK's own timer carried the call's deadline.
        error = deadlineError(request, server.id, performance.now() - started, caught);
      }
      failure = error;
      // The caller's deadline cutting a hanging attempt short is a timeout, not a change of mind.
      const callerGaveUp =
        caller?.aborted === true &&
        !(McpoolError.isInstance(caller.reason) && caller.reason.code === 'TIMEOUT');
      // The verdict is judged once, here, and travels with the error.
      const fault = classifyError(error, false);
      rememberFault(error, fault);
      outcome = this.pool.isClosed || callerGaveUp ? 'aborted' : fault;
      if (run.used === undefined) markUnsent(error);
      // A refused connection means the server is gone: drop the session so the
      // server goes down and reconnects with backoff, instead of staying "connected".
      if (run.used && isUnreachableError(error)) run.used.fail();
      if (!background && (outcome === 'server-error' || outcome === 'timeout')) {
        server.errorCount++;
        this.failedRequests++;
      }
      throw error;
    } finally {
      if (controller) {
        clearTimeout(timer);
        this.attempts.delete(controller);
        if (onAbort) caller?.removeEventListener('abort', onAbort);
      }
      server.inFlight--;
      const latencyMs = performance.now() - started;
      if (!background && (outcome === 'success' || outcome === 'rejected')) {
        server.latency.record(latencyMs);
      }
      // The attempt's bookkeeping in one pass, and a report only for someone who hears it.
      const tell = balancer?.onResult !== undefined ? balancer : undefined;
      const tellExtra = extra?.onResult !== undefined ? extra : undefined;
      const heard = this.pool.listenerCount('attempt') > 0;
      if (tell || tellExtra || heard || this.observers.length > 0) {
        const report: AttemptReport = {
          server,
          method: request.method,
          request,
          background,
          outcome,
          latencyMs,
          error: failure,
          requestId: run.requestId,
          protocolVersion: run.protocolVersion,
        };
        if (tell) this.tellBalancer(tell, report);
        if (tellExtra) this.tellBalancer(tellExtra, report);
        if (heard) this.pool.emit('attempt', report);
        if (this.observers.length > 0) this.observe(report);
      }
    }
  }

  private observe(report: AttemptReport): void {
    for (const { name, hear } of this.observers) {
      try {
        hear(report);
      } catch (error) {
        this.pool.emit('pool:error', {
          source: `plugin ${name}`,
          serverId: report.server.id,
          error,
        });
      }
    }
  }

  private tellBalancer(balancer: Balancer, report: AttemptReport): void {
    try {
      balancer.onResult?.(report);
    } catch (error) {
      this.pool.emit('pool:error', {
        source: `balancer ${balancer.name}`,
        serverId: report.server.id,
        error,
      });
    }
  }
}

/** An attempt that ran into the end of its call. */
function deadlineError(
  request: RequestInfo,
  serverId: string,
  elapsedMs: number,
  cause?: unknown,
): TimeoutError {
  return new TimeoutError(
    `${request.method} on server "${serverId}" (the call's deadline)`,
    Math.round(elapsedMs),
    cause === undefined ? undefined : { cause },
  );
}

/**
 * One attempt on its way to the server: what the send needs, what it learns
 * (the connection and the options the request went out with, where the
 * connection writes its JSON-RPC id), and the context attempt middleware sees.
 */
class Run implements AttemptContext {
  /** The connection the request went on; undefined until it was handed over. */
  used: Connection | undefined;
  /** The options the request went out with: the connection writes its JSON-RPC id there. */
  private sentWith: RequestOptions | undefined;

  constructor(
    readonly server: PooledServer,
    readonly request: RequestInfo,
    readonly signal: AbortSignal,
    /** The attempt's own time budget, ms, when it has one. */
    private readonly timeout: number | undefined,
    /** When the call ends, as `performance.now()`. */
    private readonly deadline: number | undefined,
    private readonly options: ExecuteOptions,
    /** When the attempt started, as `performance.now()`. */
    private readonly started: number,
  ) {}

  get requestId(): string | number | undefined {
    return this.sentWith?.requestId;
  }

  get protocolVersion(): string | undefined {
    return this.used?.protocolVersion;
  }

  /** Sends `sent` on a connection of the server. Not async on the way through an open connection. */
  send(sent: RequestInfo): Promise<unknown> {
    const { signal, request, server, deadline } = this;
    if (signal.aborted) return Promise.reject(abortReason(signal, request.method));
    const pending = server.connection(SESSION_BOUND.has(request.method));
    if (!(pending instanceof Promise)) return this.deliver(pending, sent);
    return untilAborted(
      deadline === undefined
        ? pending
        : beforeDeadline(pending, deadline, () =>
            deadlineError(request, server.id, performance.now() - this.started),
          ),
      signal,
      (sig) => abortReason(sig, request.method),
    ).then((connection) => {
      if (signal.aborted) throw abortReason(signal, request.method);
      return this.deliver(connection, sent);
    });
  }

  private deliver(connection: Connection, sent: RequestInfo): Promise<unknown> {
    this.used = connection;
    const timeout = this.timeout;
    const deadline = this.deadline;
    const sentWith: RequestOptions = {
      signal: this.signal,
      // The SDK would apply its own 60 s default: give it ours (the
      // attempt's budget, the call's deadline, or the longest timer).
      timeout:
        timeout !== undefined
          ? Math.min(timeout + 50, MAX_TIMER_MS)
          : deadline !== undefined
            ? Math.min(Math.max(1, Math.ceil(deadline - performance.now()) + 1), MAX_TIMER_MS)
            : MAX_TIMER_MS,
      onprogress: this.options.onprogress,
    };
    this.sentWith = sentWith;
    return connection.request(sent.method, sent.params, sentWith);
  }
}

/**
 * The context of a middleware further in that changed the request: what was
 * sent is read through the attempt's own, so a middleware outside the change
 * sees the id of the request that went out.
 */
class Changed implements AttemptContext {
  constructor(
    private readonly root: Run,
    readonly request: RequestInfo,
  ) {}

  get server(): ServerView {
    return this.root.server;
  }

  get signal(): AbortSignal {
    return this.root.signal;
  }

  get requestId(): string | number | undefined {
    return this.root.requestId;
  }

  get protocolVersion(): string | undefined {
    return this.root.protocolVersion;
  }
}

function runMiddleware(
  middleware: readonly AttemptMiddleware[],
  root: Run,
  last: (request: RequestInfo) => Promise<unknown>,
): Promise<unknown> {
  const step = (i: number, ctx: AttemptContext): Promise<unknown> => {
    const mw = middleware[i];
    if (!mw) return last(ctx.request);
    return mw(ctx, (changed) =>
      step(
        i + 1,
        changed === undefined || changed.request === ctx.request
          ? ctx
          : new Changed(root, changed.request),
      ),
    );
  };
  return step(0, root);
}
