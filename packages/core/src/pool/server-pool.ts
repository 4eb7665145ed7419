// Over 350 lines for its doc comments: `ServerPool` is the public face of the
// pool, one short method each for membership, selection, execution and figures;
// the rules themselves live beside it (attempt, membership, selection, options).
import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import { CatalogIndex } from '../catalog/catalog-index.js';
import {
  checkSeparator,
  serverConfigWarnings,
  validateServerConfig,
} from '../config/server-config.js';
import { emitConfigWarning } from '../config/unknown-keys.js';
import { PooledServer } from '../server/pooled-server.js';
import type { Balancer } from '../spec/balancer.js';
import type { CallMiddleware } from '../spec/call.js';
import {
  ConnectionError,
  DuplicateServerError,
  InvalidConfigError,
  NoServerAvailableError,
  PoolClosedError,
  UnknownServerError,
} from '../spec/errors.js';
import type { PoolMetrics } from '../spec/metrics.js';
import type { Detach, ExecuteOptions, PoolHost, PoolPlugin } from '../spec/plugin.js';
import type { RequestInfo, ServerConfig, ServerView } from '../spec/server.js';
import { SafeEmitter } from '../util/safe-emitter.js';
import { Attempts } from './attempt.js';
import { CandidateCache } from './candidate-cache.js';
import { chooseConnector } from './connectors.js';
import { reconcile } from './membership.js';
import {
  type Candidates,
  type ResolvedPoolOptions,
  resolvePoolOptions,
  type ServerPoolOptions,
} from './options.js';
import { defaultRoundRobin } from './round-robin.js';
import { selectionFilter } from './selection.js';
import { PoolSubscriptions } from './subscriptions.js';

/** What a pool's clients call directly on every call (see `callPathOf`). */
export interface PoolCallPath {
  /** What `pool.candidates` does. */
  readonly selection: CandidateCache;
  /** What `pool.execute` does. */
  readonly attempts: Attempts;
}

const callPaths = new WeakMap<ServerPool, PoolCallPath>();

/**
 * The parts of a pool its clients' calls use directly: the pool's methods
 * hand over to them, so going to them saves a call into the pool and back on
 * every call. Undefined for a pool of another copy of this package.
 */
export function callPathOf(pool: ServerPool): PoolCallPath | undefined {
  return callPaths.get(pool);
}

/**
 * A set of MCP servers behind one interface: connections, health state,
 * capability catalog, balancing and figures. Add servers at any time.
 */
export class ServerPool extends SafeEmitter implements PoolHost {
  readonly balancer: Balancer;
  readonly catalog: CatalogIndex;
  private readonly serversById = new Map<string, PooledServer>();
  /** One candidate list per offering list, replaced when selection changes (see `candidates`). */
  private readonly selection = new CandidateCache(this.serversById, (request, servers) => {
    // The id list is built only for someone listening: panic can last many calls.
    if (this.listenerCount('pool:panic') > 0) {
      this.emit('pool:panic', {
        method: request.method,
        target: request.target,
        servers: servers.map((s) => s.id),
      });
    }
  });
  private readonly plugins: { plugin: PoolPlugin; detach: Detach | undefined }[] = [];
  private readonly options: ResolvedPoolOptions;

  private started = false;
  /**
   * True once `close()` began. A field, not a getter: every call reads it,
   * and a getter is a call into this file and back.
   */
  readonly isClosed: boolean = false;
  private closing: Promise<void> | undefined;
  /** Servers being drained by removeServer(), which close() must close too. */
  private readonly removing = new Set<PooledServer>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly runs: Attempts = new Attempts(this, this.serversById);
  /** Resource subscriptions held on this pool's servers, shared by its clients and the gateway. */
  readonly subscriptions: PoolSubscriptions = new PoolSubscriptions(this);

  constructor(options: ServerPoolOptions = {}) {
    super();
    callPaths.set(this, { selection: this.selection, attempts: this.runs });
    this.options = resolvePoolOptions(options);
    this.balancer = options.balancer ?? defaultRoundRobin();
    this.catalog = new CatalogIndex(options.namespacing);
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
    const choice = chooseConnector(this.options.connectors, config.protocol, path);
    for (const warning of serverConfigWarnings(config, path)) {
      const event = { source: 'config' as const, serverId: config.id, ...warning };
      if (!this.emit('pool:warning', event)) emitConfigWarning(warning);
    }
    const server = new PooledServer(
      config,
      {
        events: this,
        catalog: this.catalog,
        handlers: this.options.handlers,
        connectionTimeout: this.options.connectionTimeout,
        maxConnections: this.options.maxConnections,
        reconnect: this.options.reconnect,
        clientInfo: this.options.clientInfo,
        eraRecheckInterval: this.options.eraRecheckInterval,
        selectionChanged: (fields) => this.selection.changed(fields),
      },
      choice,
    );
    this.serversById.set(config.id, server);
    this.selection.changed();
    this.emit('server:added', { server });
    if (this.started) void server.start(false);
    return server;
  }

  /** Drains a server (waits for its requests up to `drainTimeout`), closes it and forgets it. */
  async removeServer(serverId: string): Promise<void> {
    const server = this.serversById.get(serverId);
    if (!server) throw new UnknownServerError(serverId, [...this.serversById.keys()]);
    this.serversById.delete(serverId);
    this.selection.changed();
    this.removing.add(server);
    this.emit('server:removing', { serverId });
    try {
      await server.drain(this.options.drainTimeout);
      await server.close();
    } finally {
      this.removing.delete(server);
    }
    // The id may have been added again while this one drained: leave the new one be.
    if (this.serversById.has(serverId)) return;
    this.catalog.delete(serverId);
    this.selection.forget(serverId);
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
    // A protocol no connector speaks fails the whole set before anything changes.
    const unserved = configs.flatMap((config, i) => {
      try {
        chooseConnector(this.options.connectors, config.protocol, `servers[${i}]`);
        return [];
      } catch (error) {
        if (error instanceof InvalidConfigError) return [...error.issues];
        throw error;
      }
    });
    if (unserved.length > 0) throw new InvalidConfigError('server set', unserved);
    return reconcile(
      {
        separator: this.catalog.separator,
        ids: () => [...this.serversById.keys()],
        get: (id) => this.serversById.get(id),
        add: (config) => this.addServer(config),
        remove: (id) => this.removeServer(id),
      },
      configs,
    );
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
    // Every server offers ping: the candidates of no offering list, the healthy servers unless none is.
    const picked = this.selection.get(undefined);
    if (picked.panic) throw new NoServerAvailableError();
    return balancer.pick(
      picked.servers,
      request ?? { method: 'ping', params: undefined, safe: true },
    );
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

  /**
   * The installed plugins' `wrapCall` hooks, in the order they were installed.
   * A field, replaced when plugins change: every call reads it.
   */
  callWrappers: readonly CallMiddleware[] = [];

  private setPlugins(plugins: readonly PoolPlugin[]): void {
    this.runs.setPlugins(plugins);
    this.callWrappers = this.runs.callWrappers;
  }

  /** Installs a plugin; the returned function removes it again. */
  use(plugin: PoolPlugin): Detach {
    this.assertOpen();
    const entry = { plugin, detach: plugin.attach?.(this) };
    this.plugins.push(entry);
    this.setPlugins(this.plugins.map((p) => p.plugin));
    return async () => {
      const at = this.plugins.indexOf(entry);
      if (at < 0) return;
      this.plugins.splice(at, 1);
      this.setPlugins(this.plugins.map((p) => p.plugin));
      await entry.detach?.();
    };
  }

  /**
   * Servers that may take a request: the healthy ones among `offering` (or
   * among all servers). When none is healthy the pool panics: it returns every
   * usable offering server rather than fail everything, and says so.
   *
   * The same `servers` array comes back while the set is unchanged, and a new
   * one when a server joins or leaves, changes state, is excluded or included,
   * or changes weight or priority, or when the catalog's offering list
   * changes; an array once returned is never changed (the `Balancer` contract).
   */
  candidates(request: RequestInfo, offering?: readonly string[]): Candidates {
    return this.selection.forRequest(request, offering);
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
    return selectionFilter(this.serversById);
  }

  /**
   * Runs one attempt of a request on one server, through the plugins'
   * `wrapAttempt` hooks, with in-flight accounting, latency, failure
   * classification, balancer feedback, an `attempt` event and the plugins'
   * `onAttempt` hooks.
   */
  execute(view: ServerView, request: RequestInfo, options: ExecuteOptions = {}): Promise<unknown> {
    return this.runs.execute(view, request, options);
  }

  /** Pool-wide and per-server figures. */
  getMetrics(): PoolMetrics {
    const serverMetrics = [...this.serversById.values()].map((s) => s.metrics());
    return {
      totalServers: serverMetrics.length,
      healthyServers: serverMetrics.filter((m) => m.healthy).length,
      totalRequests: this.runs.totalRequests,
      failedRequests: this.runs.failedRequests,
      inFlight: serverMetrics.reduce((n, m) => n + m.inFlight, 0),
      serverMetrics,
    };
  }

  private assertOpen(): void {
    if (this.isClosed) throw new PoolClosedError();
  }

  /** Closes every connection and child process, detaches plugins and stops every timer. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      (this as { isClosed: boolean }).isClosed = true;
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      // Calls in flight end as "pool closed", which says nothing about the servers.
      for (const controller of this.runs.attempts) controller.abort(new PoolClosedError());
      const plugins = this.plugins.splice(0);
      this.setPlugins([]);
      await Promise.all(plugins.map((p) => p.detach?.()));
      await Promise.all([...this.serversById.values(), ...this.removing].map((s) => s.close()));
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
