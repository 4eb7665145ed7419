/**
 * The legacy era's connection: the one module that talks to the v1 MCP SDK's
 * client side, behind the `Connection` interface (legacy-connector.ts opens
 * it). Over 350 lines for that reason: a session's requests and its renewal
 * after the server forgot it (HTTP 404) share the SDK client they swap;
 * transports, server requests and cancellable sends live beside it.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions as SdkRequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type ClientCapabilities,
  ErrorCode,
  McpError,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type {
  Connection,
  ConnectOptions,
  EraVerdict,
  Following,
  PoolMethod,
  RequestOptions,
} from '../spec/connector.js';
import { isUnreachableError } from '../spec/failure.js';
import { beforeDeadline, untilAborted, withTimeout } from '../util/abort.js';
import { recordRequestIds, sendCancellable } from './cancellable-requests.js';
import { DirectRequests } from './direct-requests.js';
import { installHandlers } from './server-requests.js';
import { createTransport } from './transports.js';

const SESSION_NOT_FOUND = 404;

/** An initialized SDK client, its transport and the protocol version they agreed on. */
interface Session {
  client: Client;
  transport: Transport;
  protocolVersion: string | undefined;
  /** The calls sent without the SDK client's request path (see direct-requests.ts). */
  direct: DirectRequests;
}

/** One MCP session with one server, in the legacy era. */
export class McpConnection implements Connection {
  readonly era = 'legacy';
  readonly sessionful = true;
  /** The prior verdict when the pool supplied a legacy one, else what this connect found. */
  readonly verdict: EraVerdict;
  inFlight = 0;
  lastUsed = Date.now();
  private client: Client;
  private transport: Transport;
  private direct: DirectRequests;
  /** The protocol version the server agreed to in this session's initialize. */
  private version: string | undefined;
  /** Requests pending on each Client, so a replaced one is closed only when idle. */
  /** Requests pending on the current client. */
  private load = 0;
  /** Requests pending on clients replaced by a new session, which close when theirs end. */
  private readonly retired = new Map<Client, number>();
  /** Set once the session ends; a field, read on every request's pick of a session. */
  readonly closed: boolean = false;
  private reinit: Promise<void> | undefined;

  private constructor(
    private readonly options: ConnectOptions,
    { client, transport, protocolVersion, direct }: Session,
  ) {
    this.verdict =
      options.prior?.kind === 'legacy' ? options.prior : { kind: 'legacy', checkedAt: Date.now() };
    this.client = client;
    this.transport = transport;
    this.version = protocolVersion;
    this.direct = direct;
  }

  /** Opens and initializes a session; rejects on failure or after `connectTimeout`. */
  static async open(options: ConnectOptions): Promise<McpConnection> {
    const session = await McpConnection.connectClient(options, undefined);
    const connection = new McpConnection(options, session);
    connection.watch();
    return connection;
  }

  private static async connectClient(
    options: ConnectOptions,
    self: McpConnection | undefined,
  ): Promise<Session> {
    const transport = await createTransport(options.transport);
    recordRequestIds(transport);
    // The SDK v1 client keeps the negotiated version nowhere but in the HTTP
    // transports' headers: it hands it to `setProtocolVersion` when the
    // transport has one. Give every transport one, and keep the version.
    let protocolVersion: string | undefined;
    const setVersion = transport.setProtocolVersion?.bind(transport);
    transport.setProtocolVersion = (version) => {
      protocolVersion = version;
      setVersion?.(version);
    };
    const capabilities: ClientCapabilities = {};
    if (options.handlers.sampling) capabilities.sampling = {};
    if (options.handlers.elicitation) capabilities.elicitation = {};
    if (options.handlers.roots) capabilities.roots = { listChanged: true };
    const client = new Client(options.clientInfo, { capabilities });
    installHandlers(client, options, () => self);
    // The SDK leaves its abort listener on the signal it is given; give it one
    // that lives only as long as this connect, linked to the server's.
    const connectAbort = new AbortController();
    const parent = options.signal;
    const onAbort = () => connectAbort.abort(parent?.reason);
    if (parent?.aborted) onAbort();
    else parent?.addEventListener('abort', onAbort, { once: true });
    // The SDK closes a client whose initialize failed without waiting for it,
    // so a second close() returns at once: wait for the transport itself.
    let transportClosed: () => void = () => {};
    const closedPromise = new Promise<void>((resolve) => {
      transportClosed = resolve;
    });
    transport.onclose = () => transportClosed();
    try {
      await client.connect(transport, {
        timeout: options.connectTimeout,
        signal: connectAbort.signal,
      });
    } catch (error) {
      await client.close().catch(() => {});
      await withTimeout(closedPromise, 5_000);
      throw error;
    } finally {
      parent?.removeEventListener('abort', onAbort);
    }
    const direct = new DirectRequests(client, transport);
    direct.install();
    return { client, transport, protocolVersion, direct };
  }

  private watch(): void {
    const client = this.client;
    client.onclose = () => {
      // A replaced client closing is expected; only the current one matters.
      if (this.closed || client !== this.client) return;
      this.markClosed();
      this.endFollowing();
      this.options.listener.onClose(this);
    };
    client.onerror = (error) => {
      if (this.closed || client !== this.client) return;
      if (isSessionNotFound(error)) {
        // The notification stream learned that the server forgot the session:
        // start a new one now, or list_changed would go unheard until a call.
        this.reinitialize().catch(() => {});
      } else if (isUnreachableError(error) || isStreamGivingUp(error)) {
        // The server is gone (refused connections): this session is dead.
        this.fail();
      }
    };
    client.fallbackNotificationHandler = async (notification) => {
      this.options.listener.onNotification(this, notification);
    };
  }

  get serverId(): string {
    return this.options.serverId;
  }

  get serverCapabilities(): ServerCapabilities | undefined {
    return this.client.getServerCapabilities();
  }

  get serverVersion(): { name: string; version: string } | undefined {
    return this.client.getServerVersion();
  }

  get sessionId(): string | undefined {
    return this.transport.sessionId;
  }

  /** The MCP protocol version negotiated with the server (`2025-06-18`, say). */
  get protocolVersion(): string | undefined {
    return this.version;
  }

  private markClosed(): void {
    (this as { closed: boolean }).closed = true;
  }

  /** Closes this session because its transport failed, and tells the owner. */
  fail(): void {
    if (this.closed) return;
    this.markClosed();
    this.endFollowing();
    this.options.listener.onClose(this);
    this.close().catch(() => {});
  }

  /** Sends one request. A lost HTTP session is re-initialized and the request sent once more. */
  async request(method: string, params: unknown, options: RequestOptions): Promise<unknown> {
    this.inFlight++;
    this.lastUsed = Date.now();
    const started = performance.now();
    const used = this.client;
    const direct = this.direct;
    let held: Client | undefined;
    try {
      try {
        if (options.signal?.aborted) throw options.signal.reason;
        held = this.hold(used);
        // The send writes the request's JSON-RPC id into `options`.
        return await this.send(used, direct, method, params, options);
      } catch (error) {
        if (!isSessionNotFound(error) || this.closed) throw error;
        if (held) this.release(held);
        held = undefined;
        // The spec: on 404 the client MUST start a new session. The request
        // never ran (the server did not know the session), so sending it
        // again is safe. Another request may have renewed it already.
        // The new session counts against the request's own timeout, which may
        // be all that carries the caller's deadline.
        const end = options.timeout === undefined ? undefined : started + options.timeout;
        if (used === this.client) {
          const renewed = this.reinitialize();
          await untilAborted(
            end === undefined
              ? renewed
              : beforeDeadline(renewed, end, () => requestTimedOut(options)),
            options.signal,
          );
        }
        if (options.signal?.aborted) throw options.signal.reason;
        const left = end === undefined ? undefined : Math.max(1, end - performance.now());
        const next = this.client;
        held = this.hold(next);
        const again = { ...options, timeout: left };
        const resent = this.send(next, this.direct, method, params, again, options);
        return await resent;
      }
    } finally {
      if (held) this.release(held);
      this.inFlight--;
      this.lastUsed = Date.now();
    }
  }

  /**
   * Sends one request on `c`: on the direct path when it takes it, else
   * through the SDK client, where a shared signal cancels it without being
   * handed to the SDK.
   */
  private send(
    c: Client,
    direct: DirectRequests,
    method: string,
    params: unknown,
    options: RequestOptions,
    /** Where the request's JSON-RPC id goes (`options` unless told otherwise). */
    record: RequestOptions = options,
  ): Promise<unknown> {
    const sent = direct.call(method, params, options, record);
    if (sent) return sent;
    return sendCancellable(
      options.signal,
      (signal) => this.dispatch(c, method, params, options, signal),
      (requestId, reason) => {
        c.notification({
          method: 'notifications/cancelled',
          params: { requestId, reason: String(reason) },
        }).catch(() => {});
      },
      record,
    );
  }

  /** Counts a request pending on `c`. */
  private hold(c: Client): Client {
    if (c === this.client) this.load++;
    else this.retired.set(c, (this.retired.get(c) ?? 0) + 1);
    return c;
  }

  private release(c: Client): void {
    if (c === this.client) {
      this.load--;
      return;
    }
    const left = (this.retired.get(c) ?? 1) - 1;
    if (left > 0) this.retired.set(c, left);
    else {
      this.retired.delete(c);
      // A client replaced by a new session closes once nothing is pending on it.
      c.close().catch(() => {});
    }
  }

  private dispatch(
    c: Client,
    method: string,
    params: unknown,
    options: RequestOptions,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const opts: SdkRequestOptions = {};
    if (signal) opts.signal = signal;
    if (options.timeout !== undefined) opts.timeout = Math.max(1, options.timeout);
    if (options.onprogress) {
      opts.onprogress = options.onprogress;
      opts.resetTimeoutOnProgress = false;
    }
    // biome-ignore lint/suspicious/noExplicitAny: params were validated by the caller's types
    const p = params as any;
    switch (method as PoolMethod) {
      case 'tools/list':
        return c.listTools(p, opts);
      case 'tools/call':
        return c.callTool(p, undefined, opts);
      case 'resources/list':
        return c.listResources(p, opts);
      case 'resources/templates/list':
        return c.listResourceTemplates(p, opts);
      case 'resources/read':
        return c.readResource(p, opts);
      case 'prompts/list':
        return c.listPrompts(p, opts);
      case 'prompts/get':
        return c.getPrompt(p, opts);
      case 'completion/complete':
        return c.complete(p, opts);
      case 'ping':
        return c.ping(opts);
      case 'logging/setLevel':
        return c.setLoggingLevel(p.level, opts);
      case 'resources/subscribe':
        return c.subscribeResource(p, opts);
      case 'resources/unsubscribe':
        return c.unsubscribeResource(p, opts);
      default:
        return Promise.reject(new TypeError(`mcpool does not know the MCP method "${method}".`));
    }
  }

  private reinitialize(): Promise<void> {
    this.reinit ??= (async () => {
      const old = this.client;
      const next = await McpConnection.connectClient(this.options, this);
      const pending = this.load;
      this.client = next.client;
      this.transport = next.transport;
      this.version = next.protocolVersion;
      this.direct = next.direct;
      this.load = 0;
      this.watch();
      // Requests still pending on the old session settle first (with their own
      // 404s, which re-send them here); closing it now would fail them as if they had run.
      if (pending > 0) this.retired.set(old, pending);
      else await old.close().catch(() => {});
      this.options.listener.onSessionRenewed?.(this);
    })().finally(() => {
      this.reinit = undefined;
    });
    return this.reinit;
  }

  /** The active health check: `ping`. */
  async check(options: RequestOptions): Promise<void> {
    await this.request('ping', undefined, options);
  }

  /**
   * A legacy server sends what it sends, to every session (over HTTP on the
   * session's GET stream): nothing to ask for. Resource updates still need
   * `resources/subscribe`. Ends when the session closes.
   */
  async follow(): Promise<Following> {
    let end: (how: 'local' | 'remote') => void = () => {};
    const closed = new Promise<'local' | 'remote'>((resolve) => {
      end = resolve;
    });
    const watched = this.followers;
    const stop = (how: 'local' | 'remote') => {
      watched.delete(stop);
      end(how);
    };
    if (this.closed) stop('remote');
    else watched.add(stop);
    return {
      closed,
      close: async () => stop('local'),
    };
  }

  /** Ends what `follow()` handed out when the session goes. */
  private readonly followers = new Set<(how: 'local' | 'remote') => void>();

  private endFollowing(): void {
    for (const stop of [...this.followers]) stop('remote');
  }

  /** Tells the server the client's roots changed. */
  notifyRootsListChanged(): Promise<void> {
    return this.client.sendRootsListChanged();
  }

  /** Closes the session; for HTTP it also tells the server to end it. Never throws. */
  async close(): Promise<void> {
    this.markClosed();
    this.endFollowing();
    const transport = this.transport;
    if (transport instanceof StreamableHTTPClientTransport && transport.sessionId) {
      await withTimeout(transport.terminateSession(), 1_000).catch(() => {});
    }
    await this.client.close().catch(() => {});
    // A transport that closed without saying so leaves nothing pending here.
    this.direct.end();
  }
}

/** The SDK's SSE reader gave up reconnecting: the server is not coming back on this session. */
function isStreamGivingUp(error: unknown): boolean {
  return error instanceof Error && /Maximum reconnection attempts/i.test(error.message);
}

function isSessionNotFound(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === SESSION_NOT_FOUND;
}

/** The error the SDK gives a request whose timeout ran out. */
function requestTimedOut(options: RequestOptions): McpError {
  return new McpError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: options.timeout });
}
