import type {
  CallToolRequest,
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptRequest,
  GetPromptResult,
  Progress,
  Prompt,
  ReadResourceRequest,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  SubscribeRequest,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { Call, type CallHost } from '../call/call.js';
import { CallScope, CallSignals } from '../call/call-scope.js';
import { firstSuccessful } from '../call/first.js';
import { RetryBudget, type RetryBudgetOptions } from '../call/retry-budget.js';
import { CatalogIndex, type Route, type ServerCatalog } from '../catalog/catalog-index.js';
import { toIssues } from '../config/server-config.js';
import type { ServerPool } from '../pool/server-pool.js';
import { resourceSubscriptions } from '../pool/subscriptions.js';
import {
  InvalidConfigError,
  McpoolError,
  NoServerAvailableError,
  PoolClosedError,
  TimeoutError,
  UnknownServerError,
  UnsafeAggregationError,
} from '../spec/errors.js';
import type { PoolEvents } from '../spec/events.js';
import type {
  Aggregator,
  Balancer,
  CallContext,
  CallMiddleware,
  RequestInfo,
  ResourceSubscription,
  ServerView,
} from '../spec/types.js';
import { abortReason, type BackoffOptions, MAX_TIMER_MS } from '../util/backoff.js';
import { LatencyRecorder } from '../util/latency.js';

/** Numbers the holders of clients' resource subscriptions. */
let subscriptionSeq = 0;

/** A call pinned to one server runs there once: no fan-out, no retry elsewhere. Stateless, so shared. */
const PINNED = firstSuccessful();

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

const clientOptionsSchema = z.object({
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
  fallback: z
    .object({ enabled: z.boolean().optional(), order: z.array(z.string()).optional() })
    .optional(),
  requestTimeout: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  attemptTimeout: z.number().int().positive().max(MAX_TIMER_MS).optional(),
  maxRetries: z.number().int().min(0).max(100).optional(),
  safeTools: z.array(z.string()).optional(),
  unsafeTools: z.array(z.string()).optional(),
  retryBudget: z
    .union([
      z.literal(false),
      z.object({
        ratio: z.number().min(0).max(10).optional(),
        minPerSecond: z.number().min(0).optional(),
        windowMs: z.number().int().positive().optional(),
      }),
    ])
    .optional(),
  backoff: z
    .object({ baseMs: z.number().min(0).optional(), maxMs: z.number().min(0).optional() })
    .optional(),
});

/**
 * Talks to every server of a pool as if it were one MCP server: routes each
 * request to the servers that can serve it, balances, retries what is safe to
 * repeat, falls back, and aggregates.
 */
export class MultiServerClient {
  readonly pool: ServerPool;
  private readonly aggregation: Aggregator;
  private readonly balancer: Balancer;
  private readonly fallbackEnabled: boolean;
  private readonly fallbackOrder: readonly string[] | undefined;
  private readonly requestTimeout: number;
  private readonly attemptTimeout: number | undefined;
  private readonly maxRetries: number;
  private readonly safeTools: ReadonlySet<string>;
  private readonly unsafeTools: ReadonlySet<string>;
  private readonly budget: RetryBudget | undefined;
  private readonly backoffOptions: BackoffOptions;
  private readonly middleware: CallMiddleware[] = [];
  private readonly signals = new CallSignals();
  private readonly host: CallHost;
  private closed = false;
  /** Ends of this client's resource subscriptions still held. */
  private readonly subscriptions = new Set<() => Promise<void>>();
  private readonly latency = new LatencyRecorder(1024);
  private readonly counters = {
    totalRequests: 0,
    successfulRequests: 0,
    failedRequests: 0,
    fallbackUsed: 0,
    retries: 0,
  };
  private readonly strategyUsage = new Map<string, number>();

  constructor(pool: ServerPool, options: MultiServerClientOptions = {}) {
    const parsed = clientOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidConfigError('client options', toIssues(parsed.error));
    this.pool = pool;
    this.aggregation = options.aggregation ?? firstSuccessful();
    this.balancer = options.balancer ?? pool.balancer;
    this.fallbackEnabled = options.fallback?.enabled ?? options.fallback?.order !== undefined;
    this.fallbackOrder = options.fallback?.order;
    this.requestTimeout = options.requestTimeout ?? 30_000;
    this.attemptTimeout = options.attemptTimeout;
    this.maxRetries = options.maxRetries ?? 3;
    this.safeTools = new Set(options.safeTools ?? []);
    this.unsafeTools = new Set(options.unsafeTools ?? []);
    this.budget =
      options.retryBudget === false ? undefined : new RetryBudget(options.retryBudget ?? {});
    this.backoffOptions = options.backoff ?? {};
    this.host = {
      pool,
      balancer: this.balancer,
      attemptTimeout: this.attemptTimeout,
      budget: this.budget,
      backoff: this.backoffOptions,
      fallbackServers: (offering) => (this.fallbackEnabled ? this.fallbackServers(offering) : []),
      noteRetry: () => {
        this.counters.retries++;
      },
    };
  }

  /** Adds middleware around every whole call (cache, batch, policies); returns its remover. */
  use(middleware: CallMiddleware): () => void {
    this.middleware.push(middleware);
    return () => {
      const at = this.middleware.indexOf(middleware);
      if (at >= 0) this.middleware.splice(at, 1);
    };
  }

  /**
   * The merged tool catalog of the healthy servers, every page, named by the
   * pool's namespacing policy. With `server`, that server's own list, fetched
   * live; with a fan-out aggregation (e.g. `all()`), fetched live from every server.
   */
  listTools(options: CallOptions = {}): Promise<Tool[]> {
    return this.listKind<Tool>(
      'tools/list',
      'tools',
      options,
      () => this.pool.listTools(),
      (index, include) => index.listTools(include),
    );
  }

  listResources(options: CallOptions = {}): Promise<Resource[]> {
    return this.listKind<Resource>(
      'resources/list',
      'resources',
      options,
      () => this.pool.listResources(),
      (index, include) => index.listResources(include),
    );
  }

  listResourceTemplates(options: CallOptions = {}): Promise<ResourceTemplate[]> {
    return this.listKind<ResourceTemplate>(
      'resources/templates/list',
      'resourceTemplates',
      options,
      () => this.pool.listResourceTemplates(),
      (index, include) => index.listResourceTemplates(include),
    );
  }

  listPrompts(options: CallOptions = {}): Promise<Prompt[]> {
    return this.listKind<Prompt>(
      'prompts/list',
      'prompts',
      options,
      () => this.pool.listPrompts(),
      (index, include) => index.listPrompts(include),
    );
  }

  /** Calls a tool on a server that offers it. Names may be namespaced (`server__tool`). */
  callTool(params: CallToolRequest['params'], options: CallOptions = {}): Promise<CallToolResult> {
    // Not async: an async wrapper around run() would add a promise and two ticks to every call.
    try {
      this.assertOpen();
      const { offering, upstream } = this.counted(() =>
        this.routeNamed('tool', params.name, options.server),
      );
      const request: RequestInfo = {
        method: 'tools/call',
        params: upstream === params.name ? params : { ...params, name: upstream },
        safe: this.safeOn(params.name, { servers: offering, upstreamName: upstream }),
        target: params.name,
        key: options.key,
      };
      return this.run(
        request,
        `tools/call "${params.name}"`,
        offering,
        options,
      ) as Promise<CallToolResult>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async getPrompt(
    params: GetPromptRequest['params'],
    options: CallOptions = {},
  ): Promise<GetPromptResult> {
    this.assertOpen();
    const { offering, upstream } = this.counted(() =>
      this.routeNamed('prompt', params.name, options.server),
    );
    const request: RequestInfo = {
      method: 'prompts/get',
      params: { ...params, name: upstream },
      safe: true,
      target: params.name,
      key: options.key,
    };
    return (await this.run(
      request,
      `prompts/get "${params.name}"`,
      offering,
      options,
    )) as GetPromptResult;
  }

  async readResource(
    params: ReadResourceRequest['params'],
    options: CallOptions = {},
  ): Promise<ReadResourceResult> {
    this.assertOpen();
    const offering = options.server
      ? [this.requireServer(options.server)]
      : (this.pool.catalog.routeResource(params.uri) ?? this.serversWith('resources'));
    const request: RequestInfo = {
      method: 'resources/read',
      params,
      safe: true,
      target: params.uri,
      key: options.key,
    };
    return (await this.run(
      request,
      `resources/read "${params.uri}"`,
      offering,
      options,
    )) as ReadResourceResult;
  }

  /**
   * Subscribes to updates of a resource on the servers that offer it (or the
   * one named by `server`); `onUpdated` hears each
   * `notifications/resources/updated` for `uri`. Every client of a pool (and
   * the gateway) shares one subscription per server and resource, made by the
   * first holder and ended by the last; a server that reconnects or renews its
   * session is subscribed again. Resolves once at least one server accepted,
   * else rejects with the last server's error. `unsubscribe()` or the client's
   * `close()` ends it.
   */
  async subscribeResource(
    params: SubscribeRequest['params'],
    onUpdated: (event: { serverId: string; uri: string }) => void,
    options: Pick<CallOptions, 'server' | 'signal'> = {},
  ): Promise<ResourceSubscription> {
    this.assertOpen();
    const uri = params?.uri;
    const issues: { path: string; message: string }[] = [];
    if (typeof uri !== 'string' || uri === '') {
      issues.push({ path: 'uri', message: 'must be the resource URI, a non-empty string' });
    }
    if (typeof onUpdated !== 'function') {
      issues.push({ path: 'onUpdated', message: 'must be a function: it hears each update' });
    }
    if (issues.length > 0) throw new InvalidConfigError('subscribeResource() arguments', issues);
    const pool = this.pool;
    const ids = options.server
      ? [this.requireServer(options.server)]
      : (pool.catalog.routeResource(uri) ?? this.serversWith('resources'));
    const known = ids
      .map((id) => pool.server(id))
      .filter((s): s is ServerView => s !== undefined && s.state !== 'closed');
    // Servers in selection first: one that is down would only hold the call up.
    const healthy = known.filter((s) => s.healthy);
    const servers = healthy.length > 0 ? healthy : known;
    if (servers.length === 0) {
      throw new NoServerAvailableError(
        `No server offers the resource "${uri}" to subscribe to: list the pool's resources to see what is offered.`,
      );
    }
    const holder = `mcpool-client-${++subscriptionSeq}`;
    const listener = ({ serverId, notification }: PoolEvents['server:notification'][0]) => {
      if (notification.method !== 'notifications/resources/updated') return;
      if ((notification.params as { uri?: unknown } | undefined)?.uri !== uri) return;
      if (resourceSubscriptions.holds(pool, serverId, uri, holder)) onUpdated({ serverId, uri });
    };
    pool.on('server:notification', listener);
    try {
      await resourceSubscriptions.subscribe(pool, servers, uri, holder, options.signal);
    } catch (error) {
      pool.off('server:notification', listener);
      throw error;
    }
    let ending: Promise<void> | undefined;
    const end = (): Promise<void> => {
      ending ??= (async () => {
        this.subscriptions.delete(end);
        pool.off('server:notification', listener);
        if (!pool.isClosed) await resourceSubscriptions.unsubscribe(pool, uri, holder);
      })();
      return ending;
    };
    this.subscriptions.add(end);
    return {
      uri,
      servers: servers
        .filter((s) => resourceSubscriptions.holds(pool, s.id, uri, holder))
        .map((s) => s.id),
      unsubscribe: end,
    };
  }

  async complete(
    params: CompleteRequest['params'],
    options: CallOptions = {},
  ): Promise<CompleteResult> {
    this.assertOpen();
    let offering: readonly string[];
    let sent: CompleteRequest['params'] = params;
    if (options.server) offering = [this.requireServer(options.server)];
    else if (params.ref.type === 'ref/prompt') {
      const route = this.routeNamed('prompt', params.ref.name, undefined);
      offering = route.offering;
      sent = { ...params, ref: { ...params.ref, name: route.upstream } };
    } else {
      offering = this.pool.catalog.routeResource(params.ref.uri) ?? this.serversWith('completions');
    }
    const request: RequestInfo = {
      method: 'completion/complete',
      params: sent,
      safe: true,
      key: options.key,
    };
    return (await this.run(request, 'completion/complete', offering, options)) as CompleteResult;
  }

  /** Pings one server (balanced), or the one named by `server`. */
  async ping(options: CallOptions = {}): Promise<Record<string, never>> {
    this.assertOpen();
    const offering = options.server ? [this.requireServer(options.server)] : undefined;
    const request: RequestInfo = {
      method: 'ping',
      params: undefined,
      safe: true,
      key: options.key,
    };
    return (await this.run(request, 'ping', offering, options)) as Record<string, never>;
  }

  /**
   * Whether a tool is safe to repeat (retry, fallback, fan-out): the operator's
   * `unsafeTools`/`safeTools` first, then the tool's `readOnlyHint` or
   * `idempotentHint` annotation.
   */
  isSafeTool(name: string): boolean {
    let route: Route | undefined;
    try {
      route = this.pool.catalog.routeTool(name, (id) => this.pool.server(id) !== undefined);
    } catch {
      route = undefined;
    }
    return this.safeOn(name, route);
  }

  /** Safety of a tool call on the servers its route leads to (the route is resolved once per call). */
  private safeOn(name: string, route: Route | undefined): boolean {
    const upstream = route?.upstreamName ?? this.upstreamName(name);
    if (this.unsafeTools.has(name) || this.unsafeTools.has(upstream)) return false;
    if (this.safeTools.has(name) || this.safeTools.has(upstream)) return true;
    // Replicas may annotate one tool differently: it is safe only if every
    // server that may run it says so, since a retry can land on any of them.
    return (
      route !== undefined &&
      route.servers.length > 0 &&
      route.servers.every((id) => {
        const tool = this.pool.catalog.serverTool(id, route.upstreamName);
        return (
          tool?.annotations?.readOnlyHint === true || tool?.annotations?.idempotentHint === true
        );
      })
    );
  }

  /** Runs a routing step; a failure there is a failed call in the figures too. */
  private counted<T>(route: () => T): T {
    try {
      return route();
    } catch (error) {
      this.finish(false, performance.now(), this.aggregation.name);
      throw error;
    }
  }

  private upstreamName(name: string): string {
    const sep = this.pool.catalog.separator;
    const at = name.indexOf(sep);
    if (at > 0 && this.pool.server(name.slice(0, at))) return name.slice(at + sep.length);
    return name;
  }

  private routeNamed(
    kind: 'tool' | 'prompt',
    name: string,
    pinned: string | undefined,
  ): { offering: readonly string[]; upstream: string } {
    if (pinned) {
      this.requireServer(pinned);
      const prefix = `${pinned}${this.pool.catalog.separator}`;
      return {
        offering: [pinned],
        upstream: name.startsWith(prefix) ? name.slice(prefix.length) : name,
      };
    }
    const known = (id: string) => this.pool.server(id) !== undefined;
    const route =
      kind === 'tool'
        ? this.pool.catalog.routeTool(name, known)
        : this.pool.catalog.routePrompt(name, known);
    // Routes are rebuilt, never changed, when a catalog changes: no copy needed.
    return { offering: route.servers, upstream: route.upstreamName };
  }

  private requireServer(serverId: string): string {
    if (!this.pool.server(serverId)) {
      throw new UnknownServerError(
        serverId,
        this.pool.servers().map((s) => s.id),
      );
    }
    return serverId;
  }

  private serversWith(capability: 'resources' | 'completions'): string[] {
    return this.pool
      .servers()
      .filter((s) => {
        const catalog = this.pool.catalog.get(s.id);
        if (capability === 'resources')
          return (
            catalog !== undefined &&
            (catalog.resources.length > 0 || catalog.resourceTemplates.length > 0)
          );
        return true;
      })
      .map((s) => s.id);
  }

  private async listKind<T>(
    method: string,
    key: keyof Omit<ServerCatalog, 'fetchedAt'>,
    options: CallOptions,
    fromPool: () => Promise<T[]>,
    select: (index: CatalogIndex, include: (id: string) => boolean) => T[],
  ): Promise<T[]> {
    this.assertOpen();
    const aggregation = options.aggregation ?? this.aggregation;
    if (!options.server && !aggregation.fanOut) {
      const request: RequestInfo = { method, params: {}, safe: true };
      return this.withMiddleware(request, options, async () => {
        const started = performance.now();
        try {
          const items = await withDeadline(
            fromPool(),
            options.timeout ?? this.requestTimeout,
            options.signal,
            method,
          );
          this.finish(true, started, 'catalog');
          return items;
        } catch (error) {
          this.finish(false, started, 'catalog');
          throw error;
        }
      }) as Promise<T[]>;
    }
    const request: RequestInfo = { method, params: {}, safe: true };
    const offering = options.server ? [this.requireServer(options.server)] : undefined;
    const merge = (results: ReadonlyArray<{ server: ServerView; value: unknown }>) => {
      const index = new CatalogIndex({
        separator: this.pool.catalog.separator,
        policy: this.pool.catalog.policy,
      });
      for (const { server, value } of results) {
        const catalog: ServerCatalog = {
          tools: [],
          resources: [],
          resourceTemplates: [],
          prompts: [],
          fetchedAt: 0,
        };
        (catalog[key] as unknown[]) = value as unknown[];
        index.set(server.id, catalog);
      }
      return select(index, () => true);
    };
    return (await this.run(request, method, offering, options, merge, (page) =>
      this.allPages(key, page),
    )) as T[];
  }

  /** Fetches every page of a list from one server. */
  private allPages(
    key: string,
    attempt: (params: unknown) => Promise<unknown>,
  ): Promise<unknown[]> {
    return (async () => {
      const items: unknown[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 1000; page++) {
        const result = (await attempt(cursor ? { cursor } : {})) as Record<string, unknown>;
        items.push(...((result[key] as unknown[] | undefined) ?? []));
        cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
        if (!cursor) break;
      }
      return items;
    })();
  }

  private withMiddleware(
    request: RequestInfo,
    options: CallOptions,
    inner: (context: CallContext) => Promise<unknown>,
  ): Promise<unknown> {
    const context: CallContext = {
      request,
      server: options.server,
      signal: options.signal,
      aggregation:
        options.server !== undefined ? PINNED : (options.aggregation ?? this.aggregation),
    };
    const chain = this.middleware;
    const step = (i: number, ctx: CallContext): Promise<unknown> => {
      const mw = chain[i];
      return mw ? mw(ctx, (next) => step(i + 1, next)) : inner(ctx);
    };
    return step(0, context);
  }

  private run(
    request: RequestInfo,
    description: string,
    offering: readonly string[] | undefined,
    options: CallOptions,
    merge?: (results: ReadonlyArray<{ server: ServerView; value: unknown }>) => unknown,
    pages?: (attempt: (params: unknown) => Promise<unknown>) => Promise<unknown>,
  ): Promise<unknown> {
    if (this.middleware.length === 0) {
      return this.dispatch(request, description, offering, options, merge, pages);
    }
    return this.withMiddleware(request, options, (context) =>
      this.dispatch(context.request, description, offering, options, merge, pages),
    );
  }

  private async dispatch(
    request: RequestInfo,
    description: string,
    offering: readonly string[] | undefined,
    options: CallOptions,
    merge:
      | ((results: ReadonlyArray<{ server: ServerView; value: unknown }>) => unknown)
      | undefined,
    pages: ((attempt: (params: unknown) => Promise<unknown>) => Promise<unknown>) | undefined,
  ): Promise<unknown> {
    this.assertOpen();
    const pinned = options.server !== undefined;
    const aggregation = pinned ? PINNED : (options.aggregation ?? this.aggregation);
    if (aggregation.fanOut && !request.safe) {
      this.finish(false, performance.now(), aggregation.name);
      throw new UnsafeAggregationError(aggregation.name, description);
    }
    const pinnedServer = pinned ? this.pool.server(options.server as string) : undefined;
    const candidates: readonly ServerView[] = pinnedServer
      ? [pinnedServer]
      : this.pool.candidates(request, offering).servers;
    if (candidates.length === 0) {
      this.finish(false, performance.now(), aggregation.name);
      throw new NoServerAvailableError(
        `No server is available for ${description}: every server that offers it is down, ejected or draining.`,
      );
    }
    const timeoutMs = options.timeout ?? this.requestTimeout;
    const scope = new CallScope(this.signals, options.signal, timeoutMs, description);
    const started = performance.now();
    this.budget?.recordRequest();
    const call = new Call(
      this.host,
      scope,
      request,
      description,
      candidates,
      offering,
      pinned,
      pinned ? 0 : this.maxRetries,
      timeoutMs,
      options.onprogress,
      merge,
      pages,
    );
    try {
      const result = await aggregation.run(call);
      this.finish(true, started, aggregation.name, call.fellBack);
      return result;
    } catch (error) {
      this.finish(false, started, aggregation.name, call.fellBack);
      if (McpoolError.isInstance(error) && error.code === 'REQUEST_MAY_HAVE_RUN') throw error;
      if (this.pool.isClosed) throw new PoolClosedError();
      if (scope.aborted) throw abortReason(scope.attemptSignal, description);
      throw error;
    } finally {
      scope.end();
    }
  }

  private fallbackServers(offering: readonly string[] | undefined): ServerView[] {
    const order = this.fallbackOrder ?? this.pool.servers().map((s) => s.id);
    const offers = offering ? new Set(offering) : undefined;
    const out: ServerView[] = [];
    for (const id of order) {
      const server = this.pool.server(id);
      if (
        server &&
        (!offers || offers.has(id)) &&
        server.state !== 'closed' &&
        server.state !== 'draining'
      ) {
        out.push(server);
      }
    }
    // Servers out of selection are tried only when none in the order is in:
    // a dead server must not keep receiving fallback traffic.
    const healthy = out.filter((s) => s.healthy);
    return healthy.length > 0 ? healthy : out;
  }

  private finish(ok: boolean, started: number, strategy: string, fellBack = false): void {
    this.counters.totalRequests++;
    if (ok) this.counters.successfulRequests++;
    else this.counters.failedRequests++;
    if (fellBack) this.counters.fallbackUsed++;
    this.latency.record(performance.now() - started);
    this.strategyUsage.set(strategy, (this.strategyUsage.get(strategy) ?? 0) + 1);
  }

  /** The seed's client metrics, plus retries and latency percentiles. */
  getMetrics(): ClientMetrics {
    const p = this.latency.percentiles();
    return {
      ...this.counters,
      averageLatency: this.latency.averageMs,
      latencyP50: p.p50,
      latencyP95: p.p95,
      latencyP99: p.p99,
      strategyUsage: Object.fromEntries(this.strategyUsage),
    };
  }

  private assertOpen(): void {
    if (this.closed) throw new PoolClosedError('The client');
    if (this.pool.isClosed) throw new PoolClosedError();
  }

  /** Aborts the calls in flight and refuses new ones. The pool stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signals.abort(new PoolClosedError('The client'));
    await Promise.all([...this.subscriptions].map((end) => end()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Waits for `promise` within `timeoutMs` and until `signal` aborts. */
function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal, what));
    };
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            reject(new TimeoutError(what, timeoutMs));
          },
          Math.min(Math.max(1, timeoutMs), MAX_TIMER_MS),
        )
      : undefined;
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
