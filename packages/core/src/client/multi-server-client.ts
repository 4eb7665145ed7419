/*
 * Over 350 lines for its doc comments: one public method per MCP request,
 * each a few lines that route and hand over to the call path (call/dispatch.ts).
 */
import type {
  CallToolRequest,
  CallToolResult,
  CompleteRequest,
  CompleteResult,
  GetPromptRequest,
  GetPromptResult,
  Prompt,
  ReadResourceRequest,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  SubscribeRequest,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { first } from '../call/call.js';
import { Dispatcher } from '../call/dispatch.js';
import { fallbackServers } from '../call/fallback.js';
import type { CallHost } from '../call/host.js';
import { RetryBudget } from '../call/retry-budget.js';
import type { CatalogIndex } from '../catalog/catalog-index.js';
import { toIssues } from '../config/server-config.js';
import { callPathOf, type ServerPool } from '../pool/server-pool.js';
import type { Aggregator } from '../spec/aggregator.js';
import type { Balancer } from '../spec/balancer.js';
import type { CallMiddleware } from '../spec/call.js';
import type { CatalogList } from '../spec/catalog.js';
import { InvalidConfigError, PoolClosedError } from '../spec/errors.js';
import type { RequestInfo } from '../spec/server.js';
import type { ResourceSubscription } from '../spec/subscription.js';
import { withDeadline } from '../util/abort.js';
import type { BackoffOptions } from '../util/backoff.js';
import { allPages, mergeLists } from './catalog-lists.js';
import { ClientFigures } from './metrics.js';
import {
  type CallOptions,
  type ClientMetrics,
  clientOptionsSchema,
  type MultiServerClientOptions,
} from './options.js';
import { Routes, type ToolPlan } from './routing.js';
import { subscribeResource } from './subscribe.js';

/** A call made without options (most of them): one object for all, never changed. */
const NO_OPTIONS: CallOptions = Object.freeze({});

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
  private readonly calls: Dispatcher;
  private closed = false;
  /** Ends of this client's resource subscriptions still held. */
  private readonly subscriptions = new Set<() => Promise<void>>();
  private readonly figures = new ClientFigures();
  private readonly routes: Routes;

  constructor(pool: ServerPool, options: MultiServerClientOptions = {}) {
    const parsed = clientOptionsSchema.safeParse(options);
    if (!parsed.success) throw new InvalidConfigError('client options', toIssues(parsed.error));
    this.pool = pool;
    this.aggregation = options.aggregation ?? first();
    this.balancer = options.balancer ?? pool.balancer;
    this.fallbackEnabled = options.fallback?.enabled ?? options.fallback?.order !== undefined;
    this.fallbackOrder = options.fallback?.order;
    this.requestTimeout = options.requestTimeout ?? 30_000;
    this.attemptTimeout = options.attemptTimeout;
    this.maxRetries = options.maxRetries ?? 3;
    this.safeTools = new Set(options.safeTools ?? []);
    this.unsafeTools = new Set(options.unsafeTools ?? []);
    this.routes = new Routes(pool, this.safeTools, this.unsafeTools);
    this.budget =
      options.retryBudget === false ? undefined : new RetryBudget(options.retryBudget ?? {});
    this.backoffOptions = options.backoff ?? {};
    const direct = callPathOf(pool);
    const host: CallHost = {
      pool,
      attempts: direct?.attempts ?? pool,
      selection: direct?.selection ?? {
        forRequest: (request, offering) => pool.candidates(request, offering),
      },
      balancer: this.balancer,
      attemptTimeout: this.attemptTimeout,
      budget: this.budget,
      backoff: this.backoffOptions,
      fallbackServers: (offering) =>
        this.fallbackEnabled ? fallbackServers(pool, this.fallbackOrder, offering) : [],
      noteRetry: () => this.figures.retried(),
    };
    this.calls = new Dispatcher(
      pool,
      host,
      {
        aggregation: this.aggregation,
        requestTimeout: this.requestTimeout,
        maxRetries: this.maxRetries,
      },
      this.figures,
      () => this.assertOpen(),
    );
  }

  /** Adds middleware around every whole call (cache, batch, policies); returns its remover. */
  use(middleware: CallMiddleware): () => void {
    const chain = this.calls.middleware;
    chain.push(middleware);
    return () => {
      const at = chain.indexOf(middleware);
      if (at >= 0) chain.splice(at, 1);
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
  callTool(
    params: CallToolRequest['params'],
    options: CallOptions = NO_OPTIONS,
  ): Promise<CallToolResult> {
    // Not async: an async wrapper around run() would add a promise and two ticks to every call.
    let plan: ToolPlan;
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    try {
      // A plan kept under the catalog's generation is read in place; `Routes` makes the others.
      const routes = this.routes;
      plan =
        (options.server === undefined && routes.keptOf === this.pool.catalog.generation
          ? routes.keptPlans.get(params.name)
          : undefined) ?? routes.toolCall(params.name, options.server);
    } catch (error) {
      // A failed routing step is a failed call in the figures too.
      this.figures.finish(false, performance.now(), this.aggregation.name);
      return Promise.reject(error);
    }
    const request: RequestInfo = {
      method: 'tools/call',
      params: plan.upstream === params.name ? params : { ...params, name: plan.upstream },
      safe: plan.safe,
      target: params.name,
      key: options.key,
    };
    return this.calls.run(
      request,
      plan.description,
      plan.offering,
      options,
    ) as Promise<CallToolResult>;
  }

  async getPrompt(
    params: GetPromptRequest['params'],
    options: CallOptions = {},
  ): Promise<GetPromptResult> {
    this.assertOpen();
    const { offering, upstream } = this.counted(() =>
      this.routes.routeNamed('prompt', params.name, options.server),
    );
    const request: RequestInfo = {
      method: 'prompts/get',
      params: { ...params, name: upstream },
      safe: true,
      target: params.name,
      key: options.key,
    };
    return (await this.calls.run(
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
      ? [this.routes.requireServer(options.server)]
      : (this.pool.catalog.routeResource(params.uri) ?? this.routes.serversWith('resources'));
    const request: RequestInfo = {
      method: 'resources/read',
      params,
      safe: true,
      target: params.uri,
      key: options.key,
    };
    return (await this.calls.run(
      request,
      `resources/read "${params.uri}"`,
      offering,
      options,
    )) as ReadResourceResult;
  }

  /**
   * Subscribes to updates of a resource on the servers that offer it (or the
   * one named by `server`); `onUpdated` hears each
   * `notifications/resources/updated` for `uri`. See `subscribeResource`.
   */
  subscribeResource(
    params: SubscribeRequest['params'],
    onUpdated: (event: { serverId: string; uri: string }) => void,
    options: Pick<CallOptions, 'server' | 'signal'> = {},
  ): Promise<ResourceSubscription> {
    try {
      this.assertOpen();
    } catch (error) {
      return Promise.reject(error);
    }
    return subscribeResource(
      this.pool,
      this.routes,
      this.subscriptions,
      params,
      onUpdated,
      options,
    );
  }

  async complete(
    params: CompleteRequest['params'],
    options: CallOptions = {},
  ): Promise<CompleteResult> {
    this.assertOpen();
    let offering: readonly string[];
    let sent: CompleteRequest['params'] = params;
    if (options.server) offering = [this.routes.requireServer(options.server)];
    else if (params.ref.type === 'ref/prompt') {
      const route = this.routes.routeNamed('prompt', params.ref.name, undefined);
      offering = route.offering;
      sent = { ...params, ref: { ...params.ref, name: route.upstream } };
    } else {
      offering =
        this.pool.catalog.routeResource(params.ref.uri) ?? this.routes.serversWith('completions');
    }
    const request: RequestInfo = {
      method: 'completion/complete',
      params: sent,
      safe: true,
      key: options.key,
    };
    return (await this.calls.run(
      request,
      'completion/complete',
      offering,
      options,
    )) as CompleteResult;
  }

  /** Pings one server (balanced), or the one named by `server`. */
  async ping(options: CallOptions = {}): Promise<Record<string, never>> {
    this.assertOpen();
    const offering = options.server ? [this.routes.requireServer(options.server)] : undefined;
    const request: RequestInfo = {
      method: 'ping',
      params: undefined,
      safe: true,
      key: options.key,
    };
    return (await this.calls.run(request, 'ping', offering, options)) as Record<string, never>;
  }

  /**
   * Whether a tool is safe to repeat (retry, fallback, fan-out): the operator's
   * `unsafeTools`/`safeTools` first, then the tool's `readOnlyHint` or
   * `idempotentHint` annotation.
   */
  isSafeTool(name: string): boolean {
    return this.routes.isSafeTool(name);
  }

  /** Runs a routing step; a failure there is a failed call in the figures too. */
  private counted<T>(route: () => T): T {
    try {
      return route();
    } catch (error) {
      this.figures.finish(false, performance.now(), this.aggregation.name);
      throw error;
    }
  }

  private async listKind<T>(
    method: string,
    key: CatalogList,
    options: CallOptions,
    fromPool: () => Promise<T[]>,
    select: (index: CatalogIndex, include: (id: string) => boolean) => T[],
  ): Promise<T[]> {
    this.assertOpen();
    const aggregation = options.aggregation ?? this.aggregation;
    if (!options.server && !aggregation.fanOut) {
      const request: RequestInfo = { method, params: {}, safe: true };
      return this.calls.withMiddleware(request, options, async () => {
        const started = performance.now();
        try {
          const items = await withDeadline(
            fromPool(),
            options.timeout ?? this.requestTimeout,
            options.signal ?? options.controller?.signal,
            method,
          );
          this.figures.finish(true, started, 'catalog');
          return items;
        } catch (error) {
          this.figures.finish(false, started, 'catalog');
          throw error;
        }
      }) as Promise<T[]>;
    }
    const request: RequestInfo = { method, params: {}, safe: true };
    const offering = options.server ? [this.routes.requireServer(options.server)] : undefined;
    const merge = mergeLists(this.pool.catalog, key, select);
    return (await this.calls.run(request, method, offering, options, merge, (page) =>
      allPages(key, page),
    )) as T[];
  }

  /** The seed's client metrics, plus retries and latency percentiles. */
  getMetrics(): ClientMetrics {
    return this.figures.snapshot();
  }

  private assertOpen(): void {
    if (this.closed) throw new PoolClosedError('The client');
    if (this.pool.isClosed) throw new PoolClosedError();
  }

  /** Aborts the calls in flight and refuses new ones. The pool stays open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.calls.signals.abort(new PoolClosedError('The client'));
    await Promise.all([...this.subscriptions].map((end) => end()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
