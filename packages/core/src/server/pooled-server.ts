/*
 * Over 350 lines because a server's connections (opening through its
 * connector, losing, renewing, retiring on an era doubt, idle closing) share
 * its state, and what selection reads of it changes only through its
 * accessors; its era verdict, list following, catalog refresh and reconnects
 * live beside it (era-verdict.ts, list-following.ts, catalog-refresh.ts,
 * reconnect.ts).
 */
import type { LoggingMessageNotification, Notification } from '@modelcontextprotocol/sdk/types.js';
import type { CatalogIndex } from '../catalog/catalog-index.js';
import type {
  Connection,
  ConnectionListener,
  Connector,
  EraVerdict,
  ProtocolEra,
  ProtocolSetting,
  ServerRequestHandlers,
} from '../spec/connector.js';
import { ConnectionError, PoolClosedError } from '../spec/errors.js';
import type { ServerMetrics } from '../spec/metrics.js';
import type { ServerConfig, ServerState, ServerView, TransportConfig } from '../spec/server.js';
import { LatencyRecorder } from '../util/latency.js';
import type { SafeEmitter } from '../util/safe-emitter.js';
import { CatalogRefresh } from './catalog-refresh.js';
import { EraVerdictStore } from './era-verdict.js';
import { ListFollowing } from './list-following.js';
import { Reconnects } from './reconnect.js';

/** What a server needs from its pool. */
export interface ServerContext {
  readonly events: SafeEmitter;
  readonly catalog: CatalogIndex;
  readonly handlers: ServerRequestHandlers;
  readonly connectionTimeout: number;
  readonly maxConnections: number;
  readonly reconnect: { baseMs: number; maxMs: number };
  readonly clientInfo: { name: string; version: string };
  /** How long a legacy verdict is trusted before the next connect probes again, ms. */
  readonly eraRecheckInterval: number;
  /**
   * Told whenever what selection reads of this server changes: state,
   * exclusions, or (`fields` true) weight or priority. The pool hands
   * balancers cached candidate lists and replaces them on this.
   */
  readonly selectionChanged: (fields?: boolean) => void;
}

/** One server of the pool: its connections, exclusions, figures and catalog. */
export class PooledServer implements ServerView {
  readonly id: string;
  name: string;
  tags: readonly string[];
  transport: TransportConfig;
  maxConnectionsOverride: number | undefined;
  inFlight = 0;
  requestCount = 0;
  errorCount = 0;
  lastUsed = 0;
  readonly latency = new LatencyRecorder();
  // What selection reads (state, exclusions, weight, priority) changes only
  // through the accessors and methods below, which tell the pool.
  private currentState: ServerState = 'connecting';
  private currentWeight: number;
  private currentPriority: number;
  private readonly excluded = new Map<string, string>();
  private readonly connections: Connection[] = [];
  /** Connections taken out of use because the server's era changed; closed once idle. */
  private readonly retired = new Set<Connection>();
  private opening: Promise<Connection> | undefined;
  private extraOpening = false;
  private readonly reconnects: Reconnects;
  /**
   * The list_changed methods reported since the last refresh was scheduled: a
   * server tells each of its sessions, so with several sessions the same
   * change arrives once per session; it is reported once.
   */
  private readonly refresh: CatalogRefresh;
  private firstConnect: Promise<void> | undefined;
  private readonly abort = new AbortController();
  /** The server's `protocol` as configured (undefined: the pool's default). */
  readonly configuredProtocol: ProtocolSetting | undefined;
  /** The server's `protocol`, default resolved, and the connector that serves it. */
  readonly protocol: ProtocolSetting;
  readonly connector: Connector;
  private readonly verdicts: EraVerdictStore;
  private readonly listener: ConnectionListener;
  /** List changes followed on the kept connection (the modern era sends none unasked). */
  private readonly following: ListFollowing;

  constructor(
    config: ServerConfig,
    readonly context: ServerContext,
    choice: { protocol: ProtocolSetting; connector: Connector },
  ) {
    this.id = config.id;
    this.name = config.name ?? config.id;
    this.currentWeight = config.weight ?? 1;
    this.currentPriority = config.priority ?? 0;
    this.tags = config.tags ?? [];
    this.transport = config.transport;
    this.maxConnectionsOverride = config.maxConnections;
    this.excluded.set('connection', 'not connected yet');
    this.refresh = new CatalogRefresh(this);
    this.reconnects = new Reconnects(this);
    this.configuredProtocol = config.protocol;
    this.protocol = choice.protocol;
    this.connector = choice.connector;
    this.verdicts = new EraVerdictStore(
      { openFresh: () => this.open(true) },
      context.eraRecheckInterval,
    );
    this.following = new ListFollowing(context.reconnect.baseMs);
    this.listener = {
      onClose: (c) => this.lost(c),
      onNotification: (c, n) => this.notified(c, n),
      onSessionRenewed: (c) => {
        this.context.events.emit('server:session-renewed', {
          serverId: this.id,
          sessionId: c.sessionId,
        });
        // A new session may offer a different catalog, and no list_changed says so.
        this.refreshCatalog().catch(() => {});
      },
      onEraInDoubt: (c) => this.eraInDoubt(c),
    };
  }

  get state(): ServerState {
    return this.currentState;
  }

  set state(next: ServerState) {
    if (next === this.currentState) return;
    this.currentState = next;
    this.context.selectionChanged();
  }

  get weight(): number {
    return this.currentWeight;
  }

  set weight(next: number) {
    if (next === this.currentWeight) return;
    this.currentWeight = next;
    this.context.selectionChanged(true);
  }

  get priority(): number {
    return this.currentPriority;
  }

  set priority(next: number) {
    if (next === this.currentPriority) return;
    this.currentPriority = next;
    this.context.selectionChanged(true);
  }

  /** Why the server is out of selection, by source; change it with `setExcluded`. */
  get exclusions(): ReadonlyMap<string, string> {
    return this.excluded;
  }

  private exclusion(source: string, reason: string | undefined): void {
    if (this.excluded.get(source) === reason) return;
    if (reason === undefined) this.excluded.delete(source);
    else this.excluded.set(source, reason);
    this.context.selectionChanged();
  }

  get healthy(): boolean {
    return this.currentState === 'connected' && this.excluded.size === 0;
  }

  get latencyEwmaMs(): number | undefined {
    return this.latency.ewmaMs;
  }

  get protocolVersion(): string | undefined {
    return this.connections[0]?.protocolVersion;
  }

  get era(): ProtocolEra | undefined {
    return this.verdicts.era;
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  /** Can take requests at all (used in panic mode, when nobody is healthy). */
  get usable(): boolean {
    return this.state !== 'closed' && this.state !== 'draining';
  }

  get sessionIds(): string[] {
    return this.connections.map((c) => c.sessionId).filter((s): s is string => s !== undefined);
  }

  private get maxConnections(): number {
    return this.maxConnectionsOverride ?? this.context.maxConnections;
  }

  /** Connects the first session and loads the catalog. Never rejects unless `strict`. */
  start(strict: boolean): Promise<void> {
    this.firstConnect ??= this.openFirst();
    return strict
      ? this.firstConnect.then(() => {
          if (this.state !== 'connected') {
            throw new ConnectionError(
              this.id,
              this.exclusions.get('connection') ?? 'not connected',
            );
          }
        })
      : this.firstConnect;
  }

  private async openFirst(): Promise<void> {
    try {
      await this.connection();
    } catch {
      // Recorded by connection(); the reconnect loop takes over.
    }
  }

  /**
   * A connection for one request: the least busy open one (the first, kept
   * one when `primary`), returned synchronously so that concurrent callers
   * see each other's load. When all
   * are busy and there is room, another session opens in the background so
   * this request does not wait for it.
   */
  connection(primary = false): Connection | Promise<Connection> {
    if (this.state === 'closed') return Promise.reject(new PoolClosedError(`Server "${this.id}"`));
    // The first session is the one idle closing keeps: what must outlive a burst
    // of traffic (resource subscriptions) goes there.
    const first = this.connections[0];
    if (primary && first && !first.closed) return first;
    let best: Connection | undefined;
    for (const c of this.connections) {
      if (!c.closed && (best === undefined || c.inFlight < best.inFlight)) best = c;
    }
    if (best) {
      if (
        best.inFlight > 0 &&
        this.connections.length < this.maxConnections &&
        !this.extraOpening
      ) {
        this.extraOpening = true;
        this.open()
          .catch(() => {})
          .finally(() => {
            this.extraOpening = false;
          });
      }
      return best;
    }
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Every open() in progress, so close() can wait for them and close what they bring. */
  private readonly pendingOpens = new Set<Promise<Connection>>();

  private open(fresh = false): Promise<Connection> {
    const opening = this.openOne(fresh);
    this.pendingOpens.add(opening);
    const forget = () => {
      this.pendingOpens.delete(opening);
    };
    opening.then(forget, forget);
    return opening;
  }

  /**
   * Opens one connection through the server's connector, with its kept era
   * verdict as `prior` (none when `fresh`). A connect that finds the verdict
   * stale drops it and probes once more.
   */
  private async openOne(fresh: boolean): Promise<Connection> {
    let connection: Connection;
    try {
      connection = await this.verdicts.connect((prior) => this.connect(prior), fresh);
    } catch (error) {
      const wrapped =
        error instanceof ConnectionError
          ? error
          : new ConnectionError(
              this.id,
              error instanceof Error ? error.message : String(error),
              error,
            );
      if (this.connections.length === 0 && this.state !== 'closed') this.down(wrapped.message);
      throw wrapped;
    }
    if (this.state === 'closed' || (this.state === 'draining' && this.connections.length > 0)) {
      await connection.close();
      throw new PoolClosedError(`Server "${this.id}"`);
    }
    this.connections.push(connection);
    this.following.follow(this.connections[0]);
    if (this.state !== 'connected' && this.state !== 'draining') {
      const wasHealthy = this.healthy;
      this.state = 'connected';
      this.reconnects.succeeded();
      this.exclusion('connection', undefined);
      this.context.events.emit('server:connected', {
        serverId: this.id,
        sessionId: connection.sessionId,
        era: connection.era,
      });
      if (!wasHealthy && this.healthy)
        this.context.events.emit('server:healthy', {
          serverId: this.id,
          source: 'connection',
          reason: 'connected',
        });
      await this.refreshCatalog();
    }
    return connection;
  }

  private connect(prior: EraVerdict | undefined): Promise<Connection> {
    return this.connector.connect({
      serverId: this.id,
      transport: this.transport,
      protocol: this.protocol,
      prior,
      connectTimeout: this.context.connectionTimeout,
      handlers: this.context.handlers,
      clientInfo: this.context.clientInfo,
      signal: this.abort.signal,
      listener: this.listener,
    });
  }

  /**
   * A connection met a server that no longer speaks its era: re-probe (one
   * at a time for the server), take the doubted connection out of use and
   * hand back the one the re-probe opened.
   */
  private async eraInDoubt(doubted: Connection): Promise<Connection | undefined> {
    const next = await this.verdicts.reprobe();
    const at = this.connections.indexOf(doubted);
    if (next && next !== doubted && at >= 0) {
      this.connections.splice(at, 1);
      this.retired.add(doubted);
      const first = this.connections[0];
      this.following.follow(first);
      if (at === 0 && first) {
        // What lived on the kept connection (resource subscriptions) must be made again.
        this.context.events.emit('server:session-renewed', {
          serverId: this.id,
          sessionId: first.sessionId,
        });
      }
    }
    return next;
  }

  private lost(connection: Connection): void {
    if (this.retired.delete(connection)) return;
    const at = this.connections.indexOf(connection);
    if (at >= 0) this.connections.splice(at, 1);
    const first = this.connections[0];
    this.following.follow(first);
    if (at === 0 && first && this.state === 'connected') {
      // The kept session is gone and another takes its place: what lived in the
      // old one (resource subscriptions) must be made again there.
      this.context.events.emit('server:session-renewed', {
        serverId: this.id,
        sessionId: first.sessionId,
      });
    }
    if (this.connections.length > 0 || this.state === 'closed' || this.state === 'draining') return;
    this.context.events.emit('server:disconnected', {
      serverId: this.id,
      reason: 'connection closed',
    });
    this.down('connection closed');
  }

  private down(reason: string): void {
    const wasHealthy = this.healthy;
    this.state = 'down';
    this.exclusion('connection', reason);
    if (wasHealthy)
      this.context.events.emit('server:unhealthy', {
        serverId: this.id,
        source: 'connection',
        reason,
      });
    this.reconnects.schedule();
  }

  /** Reconnects now instead of waiting for the backoff (used when a server is known to be back). */
  reconnectNow(): void {
    this.reconnects.now();
  }

  /** Sends `notifications/roots/list_changed` on every open session. */
  async notifyRootsListChanged(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.notifyRootsListChanged().catch(() => {})));
  }

  private notified(_connection: Connection, notification: Notification): void {
    const { events } = this.context;
    switch (notification.method) {
      case 'notifications/tools/list_changed':
      case 'notifications/resources/list_changed':
      case 'notifications/prompts/list_changed':
        // Reported once per burst: a server may send it on each of its sessions.
        if (!this.refresh.changed(notification.method)) return;
        events.emit('server:notification', { serverId: this.id, notification });
        return;
      case 'notifications/message': {
        const params = (notification as LoggingMessageNotification).params;
        events.emit('server:log', {
          serverId: this.id,
          level: params.level,
          logger: params.logger,
          data: params.data,
        });
        return;
      }
      default:
        events.emit('server:notification', { serverId: this.id, notification });
    }
  }

  /** Resolves when no catalog refresh is pending. */
  catalogSettled(): Promise<void> {
    return this.refresh.settled();
  }

  /** Fetches the whole catalog (all pages of every list the server supports). */
  refreshCatalog(): Promise<void> {
    return this.refresh.run();
  }

  /** Takes the server out of selection (or back in) on behalf of `source`. */
  setExcluded(source: string, reason: string | undefined): void {
    const wasHealthy = this.healthy;
    this.exclusion(source, reason);
    if (wasHealthy && !this.healthy && reason !== undefined) {
      this.context.events.emit('server:unhealthy', { serverId: this.id, source, reason });
    } else if (!wasHealthy && this.healthy) {
      this.context.events.emit('server:healthy', {
        serverId: this.id,
        source,
        reason: `${source}: back in selection`,
      });
    }
  }

  /** Closes sessions idle for longer than `idleMs`, keeping one so notifications keep flowing. */
  closeIdle(idleMs: number, now: number): void {
    for (const c of this.retired) {
      if (c.inFlight > 0) continue;
      this.retired.delete(c);
      c.close().catch(() => {});
    }
    for (let i = this.connections.length - 1; i >= 1; i--) {
      const c = this.connections[i];
      if (c && c.inFlight === 0 && now - c.lastUsed >= idleMs) {
        this.connections.splice(i, 1);
        c.close().catch(() => {});
      }
    }
  }

  /** Stops taking new requests and waits (up to `timeoutMs`) for those in flight. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'draining';
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Closes every session (and child process) and stops every timer. */
  async close(): Promise<void> {
    this.state = 'closed';
    this.abort.abort(new PoolClosedError(`Server "${this.id}"`));
    this.reconnects.stop();
    this.refresh.stop();
    this.following.stop();
    const pending = [...this.pendingOpens];
    const connections = [...this.connections.splice(0), ...this.retired];
    this.retired.clear();
    await Promise.all(connections.map((c) => c.close()));
    await Promise.all(pending.map((p) => p.then((c) => c.close()).catch(() => {})));
    await this.refresh.stopped();
  }

  metrics(): ServerMetrics {
    const p = this.latency.percentiles();
    return {
      serverId: this.id,
      name: this.name,
      state: this.state,
      connected: this.state === 'connected',
      healthy: this.healthy,
      exclusions: Object.fromEntries(this.exclusions),
      connections: this.connections.length,
      era: this.era,
      inFlight: this.inFlight,
      requestCount: this.requestCount,
      errorCount: this.errorCount,
      responseTime: this.latency.averageMs,
      latencyEwma: this.latency.ewmaMs,
      latencyP50: p.p50,
      latencyP95: p.p95,
      latencyP99: p.p99,
      lastUsed: this.lastUsed,
      weight: this.weight,
      priority: this.priority,
    };
  }
}
