/**
 * One connection to one server through the v2 client, in whichever era the connect reached.
 * Modern connections hold no session: any of a server's connections serves any request.
 */

import {
  type Connection,
  ConnectionError,
  type ConnectionListener,
  type ConnectOptions,
  type EraVerdict,
  type Following,
  type NotificationFilter,
  type ProtocolEra,
  type RequestOptions,
} from '@mcpool/core';
import { markUnsent } from '@mcpool/core/internal';
import {
  Client,
  type Transport,
  type RequestOptions as V2RequestOptions,
} from '@modelcontextprotocol/client';
import { capabilitiesFor, installHandlers, ownSignal, priorFor } from './client-setup.js';
import { mapConnectError, mapRequestError } from './errors.js';
import { ResourceStreams } from './resource-streams.js';
import { createV2Transport } from './transports.js';

/** Options of the modern connector that reach each connection. */
export interface ModernConnectionSettings {
  /** Pages the v2 client walks for one list before giving up (a list that never ends). */
  readonly listMaxPages: number;
}

type Notification = Parameters<ConnectionListener['onNotification']>[1];

const LIST_CHANGED = [
  ['toolsListChanged', 'notifications/tools/list_changed'],
  ['promptsListChanged', 'notifications/prompts/list_changed'],
  ['resourcesListChanged', 'notifications/resources/list_changed'],
] as const;

export class ModernConnection implements Connection {
  inFlight = 0;
  lastUsed = Date.now();
  private closing = false;
  private readonly followings = new Set<() => Promise<void>>();
  /** A listen stream of this connection dropped: the next one announces the lists as changed. */
  private missed = false;
  /** Modern resource subscriptions: one listen stream per URI, in place of `resources/subscribe`. */
  private readonly resourceStreams: ResourceStreams;

  private constructor(
    private readonly client: Client,
    private readonly transport: Transport,
    private readonly options: ConnectOptions,
    readonly verdict: EraVerdict,
  ) {
    this.resourceStreams = new ResourceStreams(client, options.serverId);
  }

  /** Connects (probing, or adopting the prior verdict); rejects with a ConnectionError. */
  static async open(
    options: ConnectOptions,
    settings: ModernConnectionSettings,
  ): Promise<ModernConnection> {
    const transport = createV2Transport(options.serverId, options.transport);
    const client = new Client(options.clientInfo, {
      capabilities: capabilitiesFor(options),
      versionNegotiation: {
        mode: options.protocol === '2026-07-28' ? { pin: '2026-07-28' } : 'auto',
      },
      inputRequired: { autoFulfill: false },
      listMaxPages: settings.listMaxPages,
    });
    installHandlers(client, options);
    const prior = priorFor(options);
    const { signal, release } = ownSignal(options.signal);
    try {
      await client.connect(transport, {
        timeout: options.connectTimeout,
        signal,
        ...(prior ? { prior } : {}),
      });
    } catch (error) {
      await client.close().catch(() => {});
      throw mapConnectError(error, {
        serverId: options.serverId,
        protocol: options.protocol,
        transportType: options.transport.type,
        priorKind: prior?.kind,
      });
    } finally {
      release();
    }
    const discover = client.getDiscoverResult();
    const now = Date.now();
    let verdict: EraVerdict;
    if (discover !== undefined) {
      verdict = {
        kind: 'modern',
        discover: discover as unknown as Record<string, unknown>,
        checkedAt: options.prior?.kind === 'modern' ? options.prior.checkedAt : now,
      };
    } else {
      verdict = {
        kind: 'legacy',
        checkedAt: options.prior?.kind === 'legacy' ? options.prior.checkedAt : now,
      };
    }
    const connection = new ModernConnection(client, transport, options, verdict);
    connection.watch();
    return connection;
  }

  private watch(): void {
    this.client.onclose = () => {
      if (this.closing) return;
      this.closing = true;
      this.options.listener.onClose(this);
    };
    this.client.fallbackNotificationHandler = async (notification) => {
      this.options.listener.onNotification(this, notification as Notification);
    };
  }

  get serverId(): string {
    return this.options.serverId;
  }

  get era(): ProtocolEra {
    return this.client.getProtocolEra() === 'modern' ? 'modern' : 'legacy';
  }

  /** Legacy connections are sessions; modern ones are interchangeable. */
  get sessionful(): boolean {
    return this.era === 'legacy';
  }

  get sessionId(): string | undefined {
    return this.transport.sessionId;
  }

  get serverCapabilities(): Connection['serverCapabilities'] {
    return this.client.getServerCapabilities() as Connection['serverCapabilities'];
  }

  get serverVersion(): { name: string; version: string } | undefined {
    return this.client.getServerVersion();
  }

  /** The protocol revision the connection speaks (`2026-07-28` on a modern one). */
  get protocolVersion(): string | undefined {
    if (this.verdict.kind === 'modern') return '2026-07-28';
    return (
      this.client as unknown as { getNegotiatedProtocolVersion?: () => string }
    ).getNegotiatedProtocolVersion?.();
  }

  get closed(): boolean {
    return this.closing;
  }

  /** Sends one request; errors come back sorted as docs/connectors.md's table says. */
  async request(method: string, params: unknown, options: RequestOptions): Promise<unknown> {
    if (this.closing) {
      const error = new ConnectionError(this.serverId, 'the connection is closed.');
      markUnsent(error);
      throw error;
    }
    this.inFlight++;
    this.lastUsed = Date.now();
    const { signal, release } = ownSignal(options.signal);
    try {
      if (signal.aborted) throw signal.reason;
      const sdkOptions: V2RequestOptions = { signal };
      if (options.timeout !== undefined) sdkOptions.timeout = Math.max(1, options.timeout);
      if (options.onprogress) {
        sdkOptions.onprogress = options.onprogress;
        sdkOptions.resetTimeoutOnProgress = false;
      }
      return await this.dispatch(method, params, sdkOptions);
    } catch (error) {
      const sorted = this.failed(error, method, options);
      if (sorted.resend) {
        // Refused before dispatch (-32022): once more, on the connection the re-probe opened.
        const next = await sorted.resend.catch(() => undefined);
        if (next !== undefined && next !== this && !options.signal?.aborted) {
          return next.request(method, params, options);
        }
      }
      throw sorted.error;
    } finally {
      release();
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  private failed(
    error: unknown,
    method: string,
    options: RequestOptions,
  ): { error: unknown; resend: Promise<Connection | undefined> | undefined } {
    const sorted = mapRequestError(error, {
      serverId: this.serverId,
      method,
      era: this.era,
      signal: options.signal,
      timeout: options.timeout,
    });
    if (sorted.catalogStale) {
      // The server's catalog changed under the pool: refresh it as a list_changed would.
      this.options.listener.onNotification(this, {
        method: 'notifications/tools/list_changed',
      });
    }
    let resend: Promise<Connection | undefined> | undefined;
    if (sorted.eraInDoubt) {
      const reprobe = this.options.listener.onEraInDoubt?.(this, error);
      if (sorted.refusedBeforeDispatch) resend = reprobe;
      else reprobe?.catch(() => {});
    }
    if (sorted.connectionDead) this.fail();
    return { error: sorted.error, resend };
  }

  private dispatch(method: string, params: unknown, options: V2RequestOptions): Promise<unknown> {
    const c = this.client;
    // biome-ignore lint/suspicious/noExplicitAny: params were validated by the caller's types
    const p = params as any;
    // The pool decides about caching (@mcpool/cache, with the server's ttlMs/cacheScope).
    const list = { ...options, cacheMode: 'bypass' as const };
    switch (method) {
      case 'tools/list':
        return c.listTools(p, list);
      case 'tools/call':
        return c.callTool(p, { ...options, allowInputRequired: true });
      case 'resources/list':
        return c.listResources(p, list);
      case 'resources/templates/list':
        return c.listResourceTemplates(p, list);
      case 'resources/read':
        return c.readResource(p, { ...list, allowInputRequired: true });
      case 'prompts/list':
        return c.listPrompts(p, list);
      case 'prompts/get':
        return c.getPrompt(p, { ...options, allowInputRequired: true });
      case 'completion/complete':
        return c.complete(p, options);
      case 'ping':
        return this.era === 'modern' ? c.discover(options) : c.ping(options);
      case 'logging/setLevel':
        return c.setLoggingLevel(p.level, options);
      case 'resources/subscribe':
        return this.era === 'modern'
          ? this.resourceStreams.subscribe(p.uri)
          : c.subscribeResource(p, options);
      case 'resources/unsubscribe':
        return this.era === 'modern'
          ? this.resourceStreams.unsubscribe(p.uri)
          : c.unsubscribeResource(p, options);
      default:
        return Promise.reject(new TypeError(`mcpool does not know the MCP method "${method}".`));
    }
  }

  /** The active health check: `ping` on a legacy connection, `server/discover` on a modern one. */
  async check(options: RequestOptions): Promise<void> {
    await this.request('ping', undefined, options);
  }

  /**
   * Follows list changes and resource updates. Legacy: they arrive unasked (over HTTP on the
   * GET stream), so nothing is opened and following ends only when closed. Modern: a
   * `subscriptions/listen` stream; when it drops (`remote`), the owner follows again.
   */
  async follow(filter: NotificationFilter): Promise<Following> {
    if (this.era === 'legacy') {
      let ended: (why: 'local') => void = () => {};
      const closed = new Promise<'local'>((resolve) => {
        ended = resolve;
      });
      const close = async () => {
        this.followings.delete(close);
        ended('local');
      };
      this.followings.add(close);
      return { closed, close };
    }
    const { resourceSubscriptions, ...lists } = filter;
    const subscription = await this.client.listen({
      ...lists,
      ...(resourceSubscriptions ? { resourceSubscriptions: [...resourceSubscriptions] } : {}),
    });
    if (this.missed) {
      // The last stream dropped: what changed meanwhile went unheard, so say the lists changed.
      this.missed = false;
      for (const [key, method] of LIST_CHANGED) {
        if (filter[key]) this.options.listener.onNotification(this, { method });
      }
    }
    const close = async () => {
      this.followings.delete(close);
      await subscription.close().catch(() => {});
    };
    this.followings.add(close);
    subscription.closed.then((why) => {
      this.followings.delete(close);
      if (why === 'remote') this.missed = true;
    });
    return { closed: subscription.closed, close };
  }

  /** Tells the server the client's roots changed (legacy era; the modern one has no such notice). */
  async notifyRootsListChanged(): Promise<void> {
    if (this.era === 'legacy') await this.client.sendRootsListChanged();
  }

  /** Closes the connection because it is useless, and tells the owner. */
  fail(): void {
    if (this.closing) return;
    this.closing = true;
    this.options.listener.onClose(this);
    this.close().catch(() => {});
  }

  /** Closes the connection (a stdio one ends its child). Never throws. */
  async close(): Promise<void> {
    this.closing = true;
    for (const close of [...this.followings]) await close();
    await this.resourceStreams.close();
    await this.client.close().catch(() => {});
  }
}
