import type {
  CreateMessageRequest,
  CreateMessageResult,
  ElicitRequest,
  ElicitResult,
  ListRootsResult,
  Notification,
  Progress,
  ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { TransportConfig } from './server.js';

/*
 * The seam between the pool and an MCP SDK. A `Connector` opens
 * `Connection`s to one server; the pool never sees an SDK client. Core's
 * built-in legacy connector speaks the legacy era (revisions up to
 * 2025-11-25) on the v1 SDK; a connector package registered with
 * `new ServerPool({ connectors: [...] })` may speak the modern one
 * (2026-07-28). What crosses the seam is plain JSON: results are passed
 * through as the SDK returns them.
 */

/** The protocol revision of the modern era. */
export const MODERN_PROTOCOL_VERSION = '2026-07-28';

/** The two eras of MCP: `initialize` and sessions, or per-request versions and `server/discover`. */
export type ProtocolEra = 'legacy' | 'modern';

/**
 * Which era to speak with a server, per server (`protocol` in its config):
 * - `legacy`: `initialize`, as MCP did up to 2025-11-25;
 * - `auto`: probe `server/discover` once, keep the verdict, fall back to `initialize`;
 * - `2026-07-28`: the modern era only; a legacy server fails at connect.
 */
export type ProtocolSetting = 'legacy' | 'auto' | '2026-07-28';

/** Every `ProtocolSetting`, for schemas and messages. */
export const PROTOCOL_SETTINGS: readonly ProtocolSetting[] = ['legacy', 'auto', '2026-07-28'];

/**
 * What a connect learned about a server's era. The pool keeps one per server
 * and hands it to the next connect as `prior`, so the era is probed once per
 * server rather than once per connection.
 */
export type EraVerdict =
  | { readonly kind: 'legacy'; readonly checkedAt: number }
  | {
      readonly kind: 'modern';
      /** The server's `server/discover` result, as it came. */
      readonly discover: Record<string, unknown>;
      readonly checkedAt: number;
    };

/** The MCP methods the pool sends to servers. */
export type PoolMethod =
  | 'tools/list'
  | 'tools/call'
  | 'resources/list'
  | 'resources/templates/list'
  | 'resources/read'
  | 'prompts/list'
  | 'prompts/get'
  | 'completion/complete'
  | 'ping'
  | 'logging/setLevel'
  | 'resources/subscribe'
  | 'resources/unsubscribe';

/** Which server is asking, and a signal that aborts if the server cancels. */
export interface ServerRequestContext {
  readonly serverId: string;
  readonly signal: AbortSignal;
}

/**
 * Answers to requests that servers send to the client. Registered once on the
 * pool, they serve every connection of every server; a server is told the
 * client supports sampling, elicitation or roots only when a handler is set.
 */
export interface ServerRequestHandlers {
  sampling?:
    | ((
        params: CreateMessageRequest['params'],
        context: ServerRequestContext,
      ) => Promise<CreateMessageResult>)
    | undefined;
  elicitation?:
    | ((params: ElicitRequest['params'], context: ServerRequestContext) => Promise<ElicitResult>)
    | undefined;
  roots?:
    | ((context: ServerRequestContext) => ListRootsResult | Promise<ListRootsResult>)
    | undefined;
}

/** Options of one request over a connection. */
export interface RequestOptions {
  /**
   * Aborts the request. It may be shared by many requests (see
   * `sendCancellable` in `@mcpool/core/internal`): never hand it to an SDK
   * as is, which would keep a listener per request on it.
   */
  signal?: AbortSignal | undefined;
  /** The request's own deadline, ms; the pool always sets one. */
  timeout?: number | undefined;
  onprogress?: ((progress: Progress) => void) | undefined;
  /**
   * Written by the connection as it sends: the JSON-RPC id of the request on
   * the wire (a re-send after a lost session has a new one). An out-field, so
   * an attempt learns the id without a callback or an object of its own.
   */
  requestId?: string | number | undefined;
}

/** Callbacks from a connection to its owner (the pool's server). */
export interface ConnectionListener {
  /** The connection closed without being asked to (process exit, socket gone). */
  onClose(connection: Connection): void;
  /** Any server notification (list_changed, logging, resource updates, ...). */
  onNotification(connection: Connection, notification: Notification): void;
  /** Legacy only: the server forgot the session (HTTP 404) and a new one took its place. */
  onSessionRenewed?(connection: Connection): void;
  /**
   * The server's era is no longer the verdict's (-32022 before dispatch, or a
   * modern 404): the pool drops the server's verdict and re-probes it, one
   * re-probe per server at a time (others wait for it). Resolves to a
   * connection that re-probe opened, on which a request the server refused
   * before dispatch may be sent once more; undefined when none could be
   * opened. A connection that does not re-send may ignore the promise. It may
   * resolve to the doubting connection itself (the server's last re-probe,
   * within `eraRecheckInterval`, opened it): then do not send again.
   */
  onEraInDoubt?(connection: Connection, cause: unknown): Promise<Connection | undefined>;
}

/** Everything a connector needs to open one connection. */
export interface ConnectOptions {
  serverId: string;
  transport: TransportConfig;
  protocol: ProtocolSetting;
  /** The server's kept verdict, when still fresh: skips the probe. */
  prior?: EraVerdict | undefined;
  clientInfo: { name: string; version: string };
  handlers: ServerRequestHandlers;
  listener: ConnectionListener;
  /** Rejects with `ConnectionError` after this long, ms; never hangs past it. */
  connectTimeout: number;
  /** Aborts the connect (the server was removed or the pool closed). */
  signal?: AbortSignal | undefined;
}

/** Which notifications to follow: the modern era's `subscriptions/listen` filter. */
export interface NotificationFilter {
  toolsListChanged?: boolean | undefined;
  promptsListChanged?: boolean | undefined;
  resourcesListChanged?: boolean | undefined;
  /** Resource URIs whose `notifications/resources/updated` to receive. */
  resourceSubscriptions?: readonly string[] | undefined;
}

/** Notifications being followed; they arrive through the listener's `onNotification`. */
export interface Following {
  /**
   * Resolves once when following has ended, never rejects: `local` (closed
   * here), `graceful` (the server ended it) or `remote` (the stream dropped:
   * follow again to keep hearing).
   */
  readonly closed: Promise<'local' | 'graceful' | 'remote'>;
  /** Stops following. Idempotent. */
  close(): Promise<void>;
}

/** One connection to one server, in one era. */
export interface Connection {
  readonly serverId: string;
  readonly era: ProtocolEra;
  /** The verdict this connect reached (or adopted); the pool keeps it as the server's prior. */
  readonly verdict: EraVerdict;
  /** Legacy connections are sessions: requests that need one (subscriptions) stay on it. */
  readonly sessionful: boolean;
  readonly sessionId: string | undefined;
  /** The protocol version in use (`2025-06-18`, `2026-07-28`); undefined when unknown. */
  readonly protocolVersion: string | undefined;
  readonly serverCapabilities: ServerCapabilities | undefined;
  readonly serverVersion: { name: string; version: string } | undefined;
  /** Requests pending on this connection now. */
  readonly inFlight: number;
  /** `Date.now()` when a request last started or ended here; idle closing reads it. */
  readonly lastUsed: number;
  readonly closed: boolean;
  /**
   * Sends one request (`method` is a `PoolMethod`) and resolves to its result
   * as the SDK returns it. `ping` is the era's health check and is answered
   * as `check()` answers (the modern era has no `ping`: `server/discover`
   * stands in), resolving to `{}`; the pool's health checks and
   * `client.ping()` come this way. Rejects with the SDK's error, or with an
   * mcpool error; mark an error raised before anything was sent with
   * `markUnsent` and a server's deliberate refusal with
   * `rememberFault(error, 'rejected')` (both in `@mcpool/core/internal`).
   */
  request(method: string, params: unknown, options: RequestOptions): Promise<unknown>;
  /** The active health check: `ping` (legacy) or `server/discover` (modern); what `request('ping')` does. */
  check(options: RequestOptions): Promise<void>;
  /** Notifications the pool asks for: list changes and resource updates. */
  follow(filter: NotificationFilter): Promise<Following>;
  /** Tells the server the client's roots changed. */
  notifyRootsListChanged(): Promise<void>;
  /** Closes the connection because its transport failed, and tells the listener. */
  fail(): void;
  /** Closes the connection (ends a legacy HTTP session, a stdio child). Never throws. */
  close(): Promise<void>;
}

/** Opens connections in the eras it supports; registered with `new ServerPool({ connectors })`. */
export interface Connector {
  /** Names the connector in errors and events (`legacy`, `modern`). */
  readonly name: string;
  /** True when this connector can serve a server set to `protocol`. */
  supports(protocol: ProtocolSetting): boolean;
  /** Opens one connection; rejects with `ConnectionError`, never hangs past `connectTimeout`. */
  connect(options: ConnectOptions): Promise<Connection>;
}
