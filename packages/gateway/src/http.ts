import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server as NodeHttpServer,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidConfigError } from '@mcpool/core';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { HttpSettings } from './config.js';
import type { Gateway } from './gateway.js';
import type { GatewaySession } from './session.js';

/** Options of `startHttpGateway`; see `HttpSettings` for each default. */
export type HttpGatewayOptions = HttpSettings & {
  /**
   * What `/readyz` asks besides "not closing" (discovery resolved, a server
   * connected). `/healthz` answers 200 while the process serves. @default always ready
   */
  isReady?: (() => boolean) | undefined;
};

/** Liveness and readiness paths, answered before the Host, Origin and token checks: probes come from the kubelet. */
export const PROBE_PATHS = { live: '/healthz', ready: '/readyz' } as const;

/** A gateway served over Streamable HTTP. */
export interface HttpGateway {
  /** `http://host:port/mcp` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Downstream HTTP sessions now open. */
  sessionCount(): number;
  /** Stops listening and closes every downstream session (not the gateway). */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 4 * 1024 * 1024;
const DEFAULT_SESSION_IDLE = 30 * 60_000;
const DEFAULT_MAX_SESSIONS = 100;
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

interface HttpSession {
  transport: StreamableHTTPServerTransport;
  session: GatewaySession;
  lastSeen: number;
  active: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly rpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The host name of a `Host` header (`example.com:80` → `example.com`, `[::1]:3333` → `[::1]`). */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1).toLowerCase();
  }
  const colon = host.indexOf(':');
  return (colon < 0 ? host : host.slice(0, colon)).toLowerCase();
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Serves a gateway over Streamable HTTP, one downstream session per MCP
 * session id. Guards, in order: `Host` and `Origin` against DNS rebinding
 * (403), the bearer token (401), the body size (413).
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
  if (options.token !== undefined && options.token.length < 16) {
    throw new InvalidConfigError('http options', [
      { path: 'token', message: 'use a token of at least 16 characters' },
    ]);
  }
  const tokenDigest = options.token === undefined ? undefined : digest(options.token);
  const allowedHosts = new Set(
    [...LOOPBACK_HOSTS, ...(options.allowedHosts ?? [])].map((h) => hostName(h)),
  );
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => new URL(o).origin));
  const sessions = new Map<string, HttpSession>();
  const sockets = new Set<Socket>();
  const log = gateway.logger;

  const checkOrigin = (req: IncomingMessage) => {
    const hostHeader = req.headers.host;
    if (!hostHeader || !allowedHosts.has(hostName(hostHeader))) {
      throw new HttpError(403, -32000, 'Forbidden: Host not allowed');
    }
    const origin = req.headers.origin;
    if (origin === undefined) return;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    const ok =
      parsed !== undefined &&
      (allowedOrigins.has(parsed.origin) ||
        ((parsed.protocol === 'http:' || parsed.protocol === 'https:') &&
          LOOPBACK_HOSTS.includes(parsed.hostname.toLowerCase()) &&
          // A loopback page is only trusted when the Host is loopback too.
          LOOPBACK_HOSTS.includes(hostName(hostHeader))));
    if (!ok) throw new HttpError(403, -32000, 'Forbidden: Origin not allowed');
  };

  const checkToken = (req: IncomingMessage) => {
    if (!tokenDigest) return;
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1] || !timingSafeEqual(digest(match[1].trim()), tokenDigest)) {
      throw new HttpError(401, -32001, 'Unauthorized: give the bearer token', {
        'www-authenticate': 'Bearer realm="mcpool"',
      });
    }
  };

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      throw new HttpError(413, -32000, `Payload too large: the limit is ${maxBody} bytes`);
    }
    // Events, not `for await`: breaking out of the loop would destroy the socket before the 413.
    const text = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let refused = false;
      req.on('data', (chunk: Buffer) => {
        if (refused) return;
        size += chunk.length;
        if (size > maxBody) {
          refused = true;
          chunks.length = 0;
          reject(new HttpError(413, -32000, `Payload too large: the limit is ${maxBody} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      req.once('end', () => {
        if (!refused) resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.once('error', reject);
    });
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, -32700, 'Parse error: the body is not JSON');
    }
  };

  const openSession = async (req: IncomingMessage, res: ServerResponse, body: unknown) => {
    let entry: HttpSession | undefined;
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        if (entry) sessions.set(sessionId, entry);
      },
    });
    const session = await gateway.connect(transport);
    entry = { transport, session, lastSeen: Date.now(), active: 1 };
    session.onclose = () => {
      const id = transport.sessionId;
      if (id !== undefined && sessions.get(id)?.session === session) sessions.delete(id);
    };
    try {
      await transport.handleRequest(req, res, body);
    } finally {
      entry.active--;
      entry.lastSeen = Date.now();
    }
    // A refused initialize never gets a session id: do not keep its upstream side.
    if (transport.sessionId === undefined) await session.close();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    checkOrigin(req);
    checkToken(req);
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) throw new HttpError(404, -32000, `Not found: MCP is at ${path}`);
    const method = req.method ?? 'GET';
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE') {
      throw new HttpError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    const body = method === 'POST' ? await readBody(req) : undefined;
    const sessionHeader = req.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (sessionId === undefined) {
      if (method === 'POST' && isInitializeRequest(body)) {
        // Each session owns upstream sessions (maybe child processes): bound them.
        if (sessions.size >= maxSessions) {
          throw new HttpError(503, -32000, 'Too many sessions: try again later', {
            'retry-after': '5',
          });
        }
        return openSession(req, res, body);
      }
      throw new HttpError(400, -32000, 'Bad Request: no valid session id given');
    }
    const entry = sessions.get(sessionId);
    // The spec: an unknown or ended session gets 404, and the client initializes again.
    if (!entry) throw new HttpError(404, -32001, 'Session not found');
    entry.active++;
    entry.lastSeen = Date.now();
    try {
      await entry.transport.handleRequest(req, res, body);
    } finally {
      entry.active--;
      entry.lastSeen = Date.now();
    }
  };

  let draining = false;
  const probe = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET') return false;
    const at = (req.url ?? '').split('?')[0];
    if (at !== PROBE_PATHS.live && at !== PROBE_PATHS.ready) return false;
    const ok = at === PROBE_PATHS.live || (!draining && (options.isReady?.() ?? true));
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(ok ? 'ok\n' : 'not ready\n');
    return true;
  };

  const server: NodeHttpServer = createServer((req, res) => {
    if (probe(req, res)) return;
    handle(req, res).catch((error: unknown) => {
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
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...(known ? error.headers : {}),
      };
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
    });
  });
  server.on('connection', (socket) => {
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
        if (entry.active === 0 && now - entry.lastSeen >= idleMs) {
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
  return {
    url: `http://${shownHost}:${bound}${path}`,
    host,
    port: bound,
    sessionCount: () => sessions.size,
    close: () => {
      closing ??= (async () => {
        draining = true;
        clearInterval(sweeper);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...sessions.values()].map((e) => e.session.close()));
        sessions.clear();
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}
