import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as NodeHttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type JSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';
import type { HttpSettings } from './config.js';
import type { Gateway } from './gateway.js';
import { accepts, createGuards, HttpError, readJsonBody } from './http-guards.js';
import { HttpServerTransport } from './http-transport.js';
import type { GatewaySession } from './session.js';
import {
  createSessionSealer,
  principalOf,
  type SessionSealer,
  samePrincipal,
} from './session-token.js';

/** Options of `startHttpGateway`; see `HttpSettings` for each default. */
export type HttpGatewayOptions = Omit<HttpSettings, 'sessionSecret'> & {
  /** Secrets that seal session ids, newest first (see `HttpSettings.sessionSecret`). */
  sessionSecret?: string | readonly string[] | undefined;
};

/** A gateway served over Streamable HTTP. */
export interface HttpGateway {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Downstream HTTP sessions held by this process (opened here or rebuilt from a sealed id). */
  sessionCount(): number;
  /** POST requests being answered now. */
  inflightCount(): number;
  /**
   * Graceful stop: `/readyz` answers 503 at once and new sessions are
   * refused, calls in flight get up to `drainMs` to finish, then everything
   * closes as with `close()`.
   */
  shutdown(drainMs?: number, signal?: AbortSignal): Promise<void>;
  /** Stops listening and closes every downstream session (not the gateway). */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_SESSION_IDLE = 30 * 60_000;
const DEFAULT_MAX_SESSIONS = 100;
/** How long `shutdown()` waits for calls in flight by default, ms. */
export const DEFAULT_DRAIN_MS = 30_000;
const JSON_HEADERS = { 'content-type': 'application/json' };

interface HttpSession {
  readonly transport: HttpServerTransport;
  readonly session: GatewaySession;
  readonly principal: string;
  lastSeen: number;
  active: number;
}

/** A cheap shape check; the SDK's schemas check each request's params when it is handled. */
function isMessage(value: unknown): value is JSONRPCMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { jsonrpc?: unknown; method?: unknown; id?: unknown };
  return m.jsonrpc === '2.0' && (typeof m.method === 'string' || m.id !== undefined);
}

function sessionHeader(req: IncomingMessage): string | undefined {
  const value = req.headers['mcp-session-id'];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Serves a gateway over Streamable HTTP, one downstream session per MCP
 * session id. Guards, in order: `Host` and `Origin` against DNS rebinding
 * (403), the bearer token (401), the body size (413). With a session secret
 * the ids are sealed, and any replica sharing the secret serves any session.
 */
export async function startHttpGateway(
  gateway: Gateway,
  options: HttpGatewayOptions = {},
): Promise<HttpGateway> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3333;
  const path = options.path ?? '/mcp';
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const idleMs = options.sessionIdleTimeout ?? DEFAULT_SESSION_IDLE;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  const guards = createGuards(options);
  const secrets =
    options.sessionSecret === undefined
      ? []
      : typeof options.sessionSecret === 'string'
        ? [options.sessionSecret]
        : [...options.sessionSecret];
  const sealer: SessionSealer | undefined =
    secrets.length > 0
      ? createSessionSealer({ secrets, maxAgeMs: options.sessionMaxAge })
      : undefined;
  const transportOptions = { holdSubscribeStreams: sealer !== undefined };
  const sessions = new Map<string, HttpSession>();
  const rebuilding = new Map<string, Promise<HttpSession | undefined>>();
  const sockets = new Set<Socket>();
  const log = gateway.logger;

  const checkCapacity = () => {
    // Each session may own upstream sessions (maybe child processes): bound them.
    if (sessions.size + rebuilding.size >= maxSessions) {
      throw new HttpError(503, -32000, 'Too many sessions: try again later', {
        'retry-after': '5',
      });
    }
  };

  const track = (id: string, entry: HttpSession) => {
    sessions.set(id, entry);
    entry.session.onclose = () => {
      if (sessions.get(id) === entry) sessions.delete(id);
    };
  };

  const openSession = async (
    req: IncomingMessage,
    res: ServerResponse,
    messages: JSONRPCMessage[],
  ) => {
    if (gateway.draining) {
      throw new HttpError(503, -32000, 'Shutting down: connect again (to another replica)', {
        'retry-after': '1',
        connection: 'close',
      });
    }
    checkCapacity();
    const sid = randomUUID();
    const principal = principalOf(req.headers.authorization);
    let entry: HttpSession | undefined;
    const transport = new HttpServerTransport((init, result) => {
      const id = sealer
        ? sealer.seal({
            sid,
            protocolVersion: result.protocolVersion,
            clientInfo: init.clientInfo,
            capabilities: init.capabilities,
            principal,
          })
        : sid;
      if (entry) track(id, entry);
      return id;
    }, transportOptions);
    const session = await gateway.connect(transport, { id: sid });
    entry = { transport, session, principal, lastSeen: Date.now(), active: 1 };
    try {
      await transport.handlePost(req, res, messages, false);
    } finally {
      entry.active--;
      entry.lastSeen = Date.now();
    }
    // A refused initialize never gets a session id: do not keep its upstream side.
    if (transport.sessionId === undefined) await session.close();
  };

  /** A session held here, or rebuilt from its sealed id; undefined → 404. */
  const find = async (id: string, req: IncomingMessage): Promise<HttpSession | undefined> => {
    const held = sessions.get(id);
    if (held) {
      if (sealer && !samePrincipal(held.principal, principalOf(req.headers.authorization))) {
        return undefined;
      }
      return held;
    }
    if (!sealer) return undefined;
    const principal = principalOf(req.headers.authorization);
    const claims = sealer.open(id, principal);
    if (!claims) return undefined;
    let pending = rebuilding.get(id);
    if (!pending) {
      checkCapacity();
      pending = (async () => {
        const transport = new HttpServerTransport(() => id, transportOptions);
        const session = await gateway.connect(transport, { id: claims.sid, rebuilt: true });
        await transport.replayInitialize(id, {
          protocolVersion: claims.protocolVersion,
          capabilities: claims.capabilities,
          clientInfo: claims.clientInfo,
        });
        const entry: HttpSession = {
          transport,
          session,
          principal,
          lastSeen: Date.now(),
          active: 0,
        };
        track(id, entry);
        log.info({ session: claims.sid }, 'session rebuilt from its sealed id');
        return entry;
      })().finally(() => rebuilding.delete(id));
      rebuilding.set(id, pending);
    }
    return pending;
  };

  const post = async (req: IncomingMessage, res: ServerResponse) => {
    if (!accepts(req, 'application/json') || !accepts(req, 'text/event-stream')) {
      throw new HttpError(
        406,
        -32000,
        'Not Acceptable: Client must accept both application/json and text/event-stream',
      );
    }
    const type = req.headers['content-type'];
    if (type === undefined || !type.includes('application/json')) {
      throw new HttpError(
        415,
        -32000,
        'Unsupported Media Type: Content-Type must be application/json',
      );
    }
    const body = await readJsonBody(req, maxBody);
    const batch = Array.isArray(body);
    const messages = (batch ? body : [body]) as unknown[];
    if (messages.length === 0 || !messages.every(isMessage)) {
      throw new HttpError(400, -32700, 'Parse error: Invalid JSON-RPC message');
    }
    const init = messages.some((m) => (m as { method?: unknown }).method === 'initialize');
    const id = sessionHeader(req);
    if (init) {
      if (id !== undefined)
        throw new HttpError(400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1) {
        throw new HttpError(
          400,
          -32600,
          'Invalid Request: Only one initialization request is allowed',
        );
      }
      return openSession(req, res, messages);
    }
    checkVersion(req);
    if (id === undefined) {
      throw new HttpError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    const entry = await find(id, req);
    // The spec: an unknown or ended session gets 404, and the client initializes again.
    if (!entry) throw new HttpError(404, -32001, 'Session not found');
    entry.active++;
    entry.lastSeen = Date.now();
    try {
      await entry.transport.handlePost(req, res, messages, batch);
    } finally {
      entry.active--;
      entry.lastSeen = Date.now();
    }
  };

  const checkVersion = (req: IncomingMessage) => {
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      throw new HttpError(
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      );
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    guards.origin(req);
    guards.token(req);
    const url = req.url ?? '/';
    const at = url.indexOf('?');
    if ((at < 0 ? url : url.slice(0, at)) !== path) {
      throw new HttpError(404, -32000, `Not found: MCP is at ${path}`);
    }
    const method = req.method ?? 'GET';
    if (method === 'POST') return post(req, res);
    if (method !== 'GET' && method !== 'DELETE') {
      throw new HttpError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    if (method === 'GET' && !accepts(req, 'text/event-stream')) {
      throw new HttpError(406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    }
    checkVersion(req);
    const id = sessionHeader(req);
    if (id === undefined) {
      throw new HttpError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    }
    if (method === 'DELETE') {
      const held = sessions.get(id);
      const known = held
        ? !sealer || samePrincipal(held.principal, principalOf(req.headers.authorization))
        : sealer?.open(id, principalOf(req.headers.authorization)) !== undefined;
      if (!known) throw new HttpError(404, -32001, 'Session not found');
      if (held) await held.session.close();
      res.writeHead(200).end();
      return;
    }
    const entry = await find(id, req);
    if (!entry) throw new HttpError(404, -32001, 'Session not found');
    entry.lastSeen = Date.now();
    if (!entry.transport.handleGet(res)) {
      throw new HttpError(409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    }
  };

  let inflight = 0;
  let idle: (() => void) | undefined;

  /**
   * Probes: no guard, since a kubelet asks with the pod's IP as Host and no
   * token, and the answers tell nothing but up or not.
   */
  const probe = (req: IncomingMessage, res: ServerResponse): boolean => {
    const url = req.url ?? '';
    if (!url.startsWith('/healthz') && !url.startsWith('/readyz')) return false;
    const at = url.indexOf('?');
    const pathname = at < 0 ? url : url.slice(0, at);
    if (pathname !== '/healthz' && pathname !== '/readyz') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    const readiness = pathname === '/healthz' ? { ready: true } : gateway.readiness();
    const body = JSON.stringify(
      readiness.ready ? { status: 'ok' } : { status: 'unavailable', reason: readiness.reason },
    );
    res.writeHead(readiness.ready ? 200 : 503, { ...JSON_HEADERS, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    const known = error instanceof HttpError;
    const status = known ? error.status : 500;
    if (known && status !== 404) {
      log.warn({ status, method: req.method, path: req.url }, error.message);
    } else if (!known) {
      log.error({ err: gateway.redact(String(error)) }, 'HTTP request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const headers: Record<string, string> = { ...JSON_HEADERS, ...(known ? error.headers : {}) };
    // Unread bytes of a refused body: close instead of draining them.
    if (status === 413) headers.connection = 'close';
    res.writeHead(status, headers);
    res.end(
      JSON.stringify({
        jsonrpc: '2.0',
        error: {
          code: known ? error.rpcCode : -32603,
          message: known ? error.message : 'Internal error',
        },
        id: null,
      }),
    );
  };

  const server: NodeHttpServer = createServer((req, res) => {
    if (probe(req, res)) return;
    const counted = req.method === 'POST';
    if (counted) inflight++;
    handle(req, res)
      .catch((error: unknown) => fail(req, res, error))
      .finally(() => {
        if (!counted) return;
        inflight--;
        if (inflight === 0) idle?.();
      });
  });
  // Keep-alive a little longer than the usual client's pool, so that it never reuses a socket we are closing.
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const entry of sessions.values()) {
        if (entry.active === 0 && !entry.transport.hasStream && now - entry.lastSeen >= idleMs) {
          log.info({ session: entry.session.id }, 'closing idle session');
          void entry.session.close();
        }
      }
    },
    Math.max(1_000, Math.min(60_000, Math.floor(idleMs / 2))),
  );
  sweeper.unref();

  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweeper);
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...rebuilding.values()]);
      await Promise.all([...sessions.values()].map((e) => e.session.close()));
      sessions.clear();
      // Answers just written get a moment to leave before the sockets go.
      server.closeIdleConnections();
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 250).unref())]);
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await stopped;
    })();
    return closing;
  };
  return {
    url: `http://${shownHost}:${bound}${path}`,
    host,
    port: bound,
    sessionCount: () => sessions.size,
    inflightCount: () => inflight,
    close,
    shutdown: async (drainMs = DEFAULT_DRAIN_MS, signal) => {
      gateway.drain();
      if (inflight > 0 && drainMs > 0 && !signal?.aborted) {
        log.info({ inflight, drainMs }, 'waiting for calls in flight');
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', done);
            idle = undefined;
            resolve();
          };
          const timer = setTimeout(done, drainMs);
          signal?.addEventListener('abort', done, { once: true });
          idle = done;
        });
      }
      if (inflight > 0) log.warn({ inflight }, 'drain time over: closing with calls in flight');
      await close();
    },
  };
}
