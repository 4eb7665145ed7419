import type {
  Progress,
  Prompt,
  Resource,
  ResourceTemplate,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { CatalogIndex, type NamespacingOptions } from '../catalog/catalog-index.js';
import {
  checkSeparator,
  poolOptionsSchema,
  toIssues,
  validateServerConfig,
} from '../config/server-config.js';
import type { McpConnection } from '../connection/mcp-connection.js';
import type { ServerRequestHandlers } from '../connection/server-requests.js';
import { PooledServer, type ServerMetrics } from '../server/pooled-server.js';
import {
  type ConfigIssue,
  ConnectionError,
  DuplicateServerError,
  InvalidConfigError,
  McpoolError,
  NoServerAvailableError,
  PoolClosedError,
  TimeoutError,
  UnknownServerError,
} from '../spec/errors.js';
import { SafeEmitter } from '../spec/events.js';
import type {
  AttemptContext,
  AttemptMiddleware,
  AttemptOutcome,
  AttemptReport,
  Balancer,
  Detach,
  RequestInfo,
  ServerConfig,
  ServerView,
} from '../spec/types.js';
import { beforeDeadline, untilAborted } from '../util/abort.js';
import { abortReason, MAX_TIMER_MS } from '../util/backoff.js';
import { canonicalJson } from '../util/canonical-json.js';
import { classifyError, markNotDelivered, provesNotDelivered } from './failure.js';
import { defaultRoundRobin } from './round-robin.js';

/** Requests whose effect lives in the session that receives them: sent on the server's kept session. */
const SESSION_BOUND: ReadonlySet<string> = new Set([
  'resources/subscribe',
  'resources/unsubscribe',
]);

/** Options of a `ServerPool`. Every one is optional. */
export interface ServerPoolOptions {
  /** Picks a server for each request. @default round robin */
  balancer?: Balancer | undefined;
  /** MCP sessions per server, opened on demand when all are busy. @default 1 */
  maxConnectionsPerServer?: number | undefined;
  /** Time to open and initialize one session, ms. @default 30_000 */
  connectionTimeout?: number | undefined;
  /** Extra sessions unused this long are closed (one always stays open), ms. @default 300_000 */
  idleTimeout?: number | undefined;
  /** Make `start()` reject when any server fails to connect. @default false */
  strictStart?: boolean | undefined;
  /** How long a removed server may finish the requests it has, ms. @default 5_000 */
  drainTimeout?: number | undefined;
  /** Backoff between reconnects of a down server (full jitter), ms. @default { baseMs: 500, maxMs: 30_000 } */
  reconnect?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /** How tools and prompts that differ between servers are named. */
  namespacing?: NamespacingOptions | undefined;
  /** Answers to sampling, elicitation and roots requests from any server. */
  handlers?: ServerRequestHandlers | undefined;
  /** How mcpool introduces itself to servers. @default { name: 'mcpool', version: '0.1.0' } */
  clientInfo?: { name: string; version: string } | undefined;
  /** Servers to add right away. */
  servers?: ServerConfig[] | undefined;
}

/** Pool-wide figures, as in the seed's pool metrics. */
export interface PoolMetrics {
  totalServers: number;
  healthyServers: number;
  totalRequests: number;
  failedRequests: number;
  inFlight: number;
  serverMetrics: ServerMetrics[];
}

/** Something that plugs into the pool: health checkers, breakers, exporters. */
export interface PoolPlugin {
  readonly name: string;
  /** Wraps every attempt on one server. */
  readonly attempt?: AttemptMiddleware | undefined;
  /** Called once when installed; returns what undoes it. */
  attach?(pool: ServerPool): Detach | undefined;
}

/** Options of one attempt on one server. */
export interface ExecuteOptions {
  signal?: AbortSignal | undefined;
  /** Time budget of the attempt, ms. */
  timeout?: number | undefined;
  /**
   * When the whole call ends, as a `performance.now()` time: the attempt
   * fails with a timeout there even if `signal` never aborts. It travels as
   * the SDK request's own timeout, so it costs no timer.
   */
  deadline?: number | undefined;
  onprogress?: ((progress: Progress) => void) | undefined;
  /** Told of the attempt's start and result, besides the pool's balancer. */
  balancer?: Balancer | undefined;
  /**
   * A background attempt (a health check), not traffic: it is not counted in
   * request figures, last use or balancer feedback. Its `attempt` report says so.
   */
  background?: boolean | undefined;
}

/** Servers that may take a request. */
export interface Candidates {
  readonly servers: readonly ServerView[];
  /** No offering server was healthy, so all usable ones were returned. */
  readonly panic: boolean;
}

/**
 * A set of MCP servers behind one interface: connections, health state,
 * capability catalog, balancing and figures. Add servers at any time.
 */
export class ServerPool extends SafeEmitter {
  readonly balancer: Balancer;
  readonly catalog: CatalogIndex;
  private readonly serversById = new Map<string, PooledServer>();
  private readonly plugins: { plugin: PoolPlugin; detach: Detach | undefined }[] = [];
  private middleware: AttemptMiddleware[] = [];
  private readonly options: {
    maxConnections: number;
    connectionTimeout: number;
    idleTimeout: number;
    strictStart: boolean;
    drainTimeout: number;
    reconnect: { baseMs: number; maxMs: number };
    handlers: ServerRequestHandlers;
    clientInfo: { name: string; version: string };
  };
  private started = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  /** Servers being drained by removeServer(), which close() must close too. */
  private readonly removing = new Set<PooledServer>();
  /** Controllers of the attempts in flight, aborted when the pool closes. */
  private readonly attempts = new Set<AbortController>();
  private sweeper: NodeJS.Timeout | undefined;
  private totalRequests = 0;
  private failedRequests = 0;

  constructor(options: ServerPoolOptions = {}) {
    super();
    // Every problem at once: the options and each server given here.
    const issues: ConfigIssue[] = [];
    const parsed = poolOptionsSchema.safeParse(options);
    if (!parsed.success) issues.push(...toIssues(parsed.error));
    const separator = options.namespacing?.separator ?? '__';
    const seen = new Set<string>();
    options.servers?.forEach((server, i) => {
      const path = `servers[${i}]`;
      for (const check of [
        () => validateServerConfig(server, path),
        () => checkSeparator(server.id, separator, path),
      ]) {
        try {
          check();
        } catch (error) {
          if (error instanceof InvalidConfigError) issues.push(...error.issues);
          else throw error;
        }
      }
      if (seen.has(server.id))
        issues.push({ path: `${path}.id`, message: `"${server.id}" appears twice` });
      seen.add(server.id);
    });
    if (issues.length > 0) throw new InvalidConfigError('pool options', issues);
    this.balancer = options.balancer ?? defaultRoundRobin();
    this.catalog = new CatalogIndex(options.namespacing);
    this.options = {
      maxConnections: options.maxConnectionsPerServer ?? 1,
      connectionTimeout: options.connectionTimeout ?? 30_000,
      idleTimeout: options.idleTimeout ?? 300_000,
      strictStart: options.strictStart ?? false,
      drainTimeout: options.drainTimeout ?? 5_000,
      reconnect: {
        baseMs: options.reconnect?.baseMs ?? 500,
        maxMs: options.reconnect?.maxMs ?? 30_000,
      },
      handlers: options.handlers ?? {},
      clientInfo: options.clientInfo ?? { name: 'mcpool', version: '0.1.0' },
    };
    options.servers?.forEach((s, i) => {
      this.addServerAt(s, `servers[${i}]`);
    });
    this.startSweeper();
  }

  /** Adds a server. After `start()` it connects at once, in the background. */
  addServer(config: ServerConfig): ServerView {
    return this.addServerAt(config, 'server');
  }

  private addServerAt(config: ServerConfig, path: string): ServerView {
    this.assertOpen();
    validateServerConfig(config, path);
    checkSeparator(config.id, this.catalog.separator, path);
    if (this.serversById.has(config.id)) throw new DuplicateServerError(config.id);
    const server = new PooledServer(config, {
      events: this,
      catalog: this.catalog,
      handlers: this.options.handlers,
      connectionTimeout: this.options.connectionTimeout,
      maxConnections: this.options.maxConnections,
      reconnect: this.options.reconnect,
      clientInfo: this.options.clientInfo,
    });
    this.serversById.set(config.id, server);
    this.emit('server:added', { server });
    if (this.started) void server.start(false);
    return server;
  }

  /** Drains a server (waits for its requests up to `drainTimeout`), closes it and forgets it. */
  async removeServer(serverId: string): Promise<void> {
    const server = this.serversById.get(serverId);
    if (!server) throw new UnknownServerError(serverId, [...this.serversById.keys()]);
    this.serversById.delete(serverId);
    this.removing.add(server);
    try {
      await server.drain(this.options.drainTimeout);
      await server.close();
    } finally {
      this.removing.delete(server);
    }
    // The id may have been added again while this one drained: leave the new one be.
    if (this.serversById.has(serverId)) return;
    this.catalog.delete(serverId);
    this.balancer.onRemove?.(serverId);
    this.emit('server:removed', { serverId });
  }

  /**
   * Reconciles the pool with a desired set of servers (service discovery):
   * adds the new, drains and removes the gone, and updates the changed —
   * weight, priority, name and tags in place, a new transport by reconnecting.
   */
  async sync(
    configs: readonly ServerConfig[],
  ): Promise<{ added: string[]; removed: string[]; updated: string[] }> {
    this.assertOpen();
    const issues = [];
    const ids = new Set<string>();
    for (const [i, c] of configs.entries()) {
      try {
        validateServerConfig(c, `servers[${i}]`);
        checkSeparator(c.id, this.catalog.separator, `servers[${i}]`);
      } catch (error) {
        if (error instanceof InvalidConfigError) issues.push(...error.issues);
        else throw error;
      }
      if (ids.has(c.id))
        issues.push({ path: `servers[${i}].id`, message: `"${c.id}" appears twice` });
      ids.add(c.id);
    }
    if (issues.length > 0) throw new InvalidConfigError('server set', issues);
    const added: string[] = [];
    const removed: string[] = [];
    const updated: string[] = [];
    await Promise.all(
      [...this.serversById.keys()]
        .filter((id) => !ids.has(id))
        .map(async (id) => {
          removed.push(id);
          await this.removeServer(id);
        }),
    );
    for (const config of configs) {
      const current = this.serversById.get(config.id);
      if (!current) {
        this.addServer(config);
        added.push(config.id);
        continue;
      }
      if (!sameTransport(current.transport, config.transport)) {
        await this.removeServer(config.id);
        this.addServer(config);
        updated.push(config.id);
        continue;
      }
      const weight = config.weight ?? 1;
      const priority = config.priority ?? 0;
      const name = config.name ?? config.id;
      const tags = config.tags ?? [];
      if (
        current.weight !== weight ||
        current.priority !== priority ||
        current.name !== name ||
        canonicalJson(current.tags) !== canonicalJson(tags)
      ) {
        current.weight = weight;
        current.priority = priority;
        current.name = name;
        current.tags = tags;
        updated.push(config.id);
      }
    }
    return { added, removed, updated };
  }

  /**
   * Connects every server in parallel. A server that fails is marked down and
   * retried with backoff; with `strictStart` the first failure rejects instead.
   */
  async start(options: { strict?: boolean } = {}): Promise<void> {
    this.assertOpen();
    this.started = true;
    this.startSweeper();
    const strict = options.strict ?? this.options.strictStart;
    const results = await Promise.allSettled(
      [...this.serversById.values()].map((s) => s.start(strict)),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length > 0) {
      const message = failures.map((f) => (f.reason as Error).message).join('; ');
      throw new ConnectionError('(pool)', `strict start failed: ${message}`, failures[0]?.reason);
    }
  }

  /** Resolves when every server's first connection attempt and pending catalog refresh have settled. */
  async ready(): Promise<void> {
    await Promise.all([...this.serversById.values()].map((s) => s.start(false)));
    await Promise.all([...this.serversById.values()].map((s) => s.catalogSettled()));
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(1_000, Math.min(30_000, Math.floor(this.options.idleTimeout / 2)));
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const s of this.serversById.values()) s.closeIdle(this.options.idleTimeout, now);
    }, every);
    this.sweeper.unref();
  }

  /** Every server, in the order they were added. */
  servers(): ServerView[] {
    return [...this.serversById.values()];
  }

  /** One server by id. */
  server(serverId: string): ServerView | undefined {
    return this.serversById.get(serverId);
  }

  /** Session ids of a server's open Streamable HTTP connections. */
  sessionIds(serverId: string): string[] {
    return this.serversById.get(serverId)?.sessionIds ?? [];
  }

  /** Picks a healthy server with the given balancer (the pool's by default), as the seed's `GetServer`. */
  getServer(balancer: Balancer = this.balancer, request?: RequestInfo): ServerView {
    this.assertOpen();
    const healthy = this.servers().filter((s) => s.healthy);
    if (healthy.length === 0) throw new NoServerAvailableError();
    return balancer.pick(healthy, request ?? { method: 'ping', params: undefined, safe: true });
  }

  /**
   * Takes a server out of selection on behalf of `source` (health checker,
   * breaker, operator) with a reason; `include` puts it back. A server is in
   * selection only when no source excludes it.
   */
  exclude(serverId: string, source: string, reason: string): void {
    this.require(serverId).setExcluded(source, reason);
  }

  include(serverId: string, source: string): void {
    this.require(serverId).setExcluded(source, undefined);
  }

  /** Why a server is out of selection, by source. */
  exclusions(serverId: string): Record<string, string> {
    return Object.fromEntries(this.require(serverId).exclusions);
  }

  /** Tells every connected server that the client's roots changed (`notifications/roots/list_changed`). */
  async notifyRootsListChanged(): Promise<void> {
    await Promise.all([...this.serversById.values()].map((s) => s.notifyRootsListChanged()));
  }

  /** Reconnects a down server now instead of after its backoff. */
  reconnect(serverId: string): void {
    this.require(serverId).reconnectNow();
  }

  private require(serverId: string): PooledServer {
    const server = this.serversById.get(serverId);
    if (!server) throw new UnknownServerError(serverId, [...this.serversById.keys()]);
    return server;
  }

  /** Installs a plugin; the returned function removes it again. */
  use(plugin: PoolPlugin): Detach {
    this.assertOpen();
    const entry = { plugin, detach: plugin.attach?.(this) };
    this.plugins.push(entry);
    this.rebuildMiddleware();
    return async () => {
      const at = this.plugins.indexOf(entry);
      if (at < 0) return;
      this.plugins.splice(at, 1);
      this.rebuildMiddleware();
      await entry.detach?.();
    };
  }

  private rebuildMiddleware(): void {
    this.middleware = this.plugins
      .map((p) => p.plugin.attempt)
      .filter((m): m is AttemptMiddleware => m !== undefined);
  }

  /**
   * Servers that may take a request: the healthy ones among `offering` (or
   * among all servers). When none is healthy the pool panics: it returns every
   * usable offering server rather than fail everything, and says so.
   */
  candidates(request: RequestInfo, offering?: readonly string[]): Candidates {
    // Pool order (the order servers were added), whatever order the catalog learned them in.
    const offers = offering && offering.length > 8 ? new Set(offering) : undefined;
    const offered = (id: string) =>
      offering === undefined || (offers ? offers.has(id) : offering.includes(id));
    const healthy: PooledServer[] = [];
    for (const s of this.serversById.values()) {
      if (s.healthy && offered(s.id)) healthy.push(s);
    }
    if (healthy.length > 0) return { servers: healthy, panic: false };
    const usable = [...this.serversById.values()].filter((s) => s.usable && offered(s.id));
    if (usable.length > 0) {
      this.emit('pool:panic', {
        method: request.method,
        target: request.target,
        servers: usable.map((s) => s.id),
      });
    }
    return { servers: usable, panic: true };
  }

  /** True when the server is in selection. */
  isHealthy(serverId: string): boolean {
    return this.serversById.get(serverId)?.healthy ?? false;
  }

  /** Merged tools of the healthy servers (all servers when none is healthy). */
  async listTools(): Promise<Tool[]> {
    await this.catalogSettled();
    return this.catalog.listTools(this.catalogFilter());
  }

  async listPrompts(): Promise<Prompt[]> {
    await this.catalogSettled();
    return this.catalog.listPrompts(this.catalogFilter());
  }

  async listResources(): Promise<Resource[]> {
    await this.catalogSettled();
    return this.catalog.listResources(this.catalogFilter());
  }

  async listResourceTemplates(): Promise<ResourceTemplate[]> {
    await this.catalogSettled();
    return this.catalog.listResourceTemplates(this.catalogFilter());
  }

  /** Refetches every connected server's catalog now. */
  async refreshCatalog(): Promise<void> {
    await Promise.all(
      [...this.serversById.values()]
        .filter((s) => s.state === 'connected')
        .map((s) => s.refreshCatalog()),
    );
  }

  /** Resolves when no server has a catalog refresh pending (after `list_changed`, say). */
  async catalogSettled(): Promise<void> {
    await Promise.all([...this.serversById.values()].map((s) => s.catalogSettled()));
  }

  private catalogFilter(): (serverId: string) => boolean {
    const anyHealthy = [...this.serversById.values()].some((s) => s.healthy);
    return anyHealthy
      ? (id) => this.serversById.get(id)?.healthy ?? false
      : (id) => this.serversById.get(id)?.usable ?? false;
  }

  /**
   * Runs one attempt of a request on one server, through the plugins' attempt
   * middleware, with in-flight accounting, latency, failure classification,
   * balancer feedback and an `attempt` event.
   */
  async execute(
    view: ServerView,
    request: RequestInfo,
    options: ExecuteOptions = {},
  ): Promise<unknown> {
    this.assertOpen();
    const server = this.serversById.get(view.id);
    if (!server)
      throw markedNotDelivered(new UnknownServerError(view.id, [...this.serversById.keys()]));
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
    const balancer = background ? undefined : this.balancer;
    const extra =
      !background && options.balancer && options.balancer !== this.balancer
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
    let delivered = false;
    let used: McpConnection | undefined;
    let outcome: AttemptOutcome = 'success';
    let failure: unknown;
    try {
      const deliver = (connection: McpConnection): Promise<unknown> => {
        used = connection;
        delivered = true;
        return connection.request(request.method, request.params, {
          signal,
          // The SDK would apply its own 60 s default: give it ours (the
          // attempt's budget, the call's deadline, or the longest timer).
          timeout: timed
            ? Math.min((timeout as number) + 50, MAX_TIMER_MS)
            : deadline !== undefined
              ? Math.min(Math.max(1, Math.ceil(deadline - performance.now()) + 1), MAX_TIMER_MS)
              : MAX_TIMER_MS,
          onprogress: options.onprogress,
        });
      };
      // Not async on the way through an open connection: one promise fewer per attempt.
      const send = (): Promise<unknown> => {
        if (signal.aborted) return Promise.reject(abortReason(signal, request.method));
        const pending = server.connection(SESSION_BOUND.has(request.method));
        if (!(pending instanceof Promise)) return deliver(pending);
        return untilAborted(
          deadline === undefined
            ? pending
            : beforeDeadline(pending, deadline, () =>
                deadlineError(request, server.id, performance.now() - started),
              ),
          signal,
          (sig) => abortReason(sig, request.method),
        ).then((connection) => {
          if (signal.aborted) throw abortReason(signal, request.method);
          return deliver(connection);
        });
      };
      const middleware = this.middleware;
      return await (middleware.length === 0
        ? send()
        : runMiddleware(middleware, { server, request, signal }, send));
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
      outcome = this.closed ? 'aborted' : classifyError(error, callerGaveUp);
      if (!delivered) markNotDelivered(error);
      // A refused connection means the server is gone: drop the session so the
      // server goes down and reconnects with backoff, instead of staying "connected".
      if (used && provesNotDelivered(error)) used.fail();
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
      const report: AttemptReport = {
        server,
        method: request.method,
        request,
        background,
        outcome,
        latencyMs,
        error: failure,
      };
      if (balancer) this.tellBalancer(balancer, report);
      if (extra) this.tellBalancer(extra, report);
      this.emit('attempt', report);
    }
  }

  private tellBalancer(balancer: Balancer, report: AttemptReport): void {
    try {
      balancer.onResult?.(report);
    } catch (error) {
      this.emit('pool:error', {
        source: `balancer ${balancer.name}`,
        serverId: report.server.id,
        error,
      });
    }
  }

  /** Pool-wide and per-server figures. */
  getMetrics(): PoolMetrics {
    const serverMetrics = [...this.serversById.values()].map((s) => s.metrics());
    return {
      totalServers: serverMetrics.length,
      healthyServers: serverMetrics.filter((m) => m.healthy).length,
      totalRequests: this.totalRequests,
      failedRequests: this.failedRequests,
      inFlight: serverMetrics.reduce((n, m) => n + m.inFlight, 0),
      serverMetrics,
    };
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private assertOpen(): void {
    if (this.closed) throw new PoolClosedError();
  }

  /** Closes every connection and child process, detaches plugins and stops every timer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      // Calls in flight end as "pool closed", which says nothing about the servers.
      for (const controller of this.attempts) controller.abort(new PoolClosedError());
      const plugins = this.plugins.splice(0);
      this.middleware = [];
      await Promise.all(plugins.map((p) => p.detach?.()));
      await Promise.all([...this.serversById.values(), ...this.removing].map((s) => s.close()));
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function markedNotDelivered<E>(error: E): E {
  markNotDelivered(error);
  return error;
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

function runMiddleware(
  middleware: readonly AttemptMiddleware[],
  context: AttemptContext,
  last: () => Promise<unknown>,
): Promise<unknown> {
  if (middleware.length === 0) return last();
  const step = (i: number): Promise<unknown> => {
    const mw = middleware[i];
    return mw ? mw(context, () => step(i + 1)) : last();
  };
  return step(0);
}

function sameTransport(a: ServerConfig['transport'], b: ServerConfig['transport']): boolean {
  if (a.type === 'custom' || b.type === 'custom') {
    return a.type === 'custom' && b.type === 'custom' && a.create === b.create;
  }
  return canonicalJson(a) === canonicalJson(b);
}
