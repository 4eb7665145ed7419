import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from './gateway.js';
import { HttpError } from './http-guards.js';
import { HttpServerTransport } from './http-transport.js';
import type { GatewaySession } from './session.js';
import {
  createSessionSealer,
  principalOf,
  type SessionSealer,
  samePrincipal,
} from './session-token.js';

/** A downstream session held by this process. */
export interface HttpSession {
  readonly transport: HttpServerTransport;
  readonly session: GatewaySession;
  readonly principal: string;
  lastSeen: number;
  active: number;
}

/** The downstream sessions of one HTTP listener. */
export interface HttpSessions {
  readonly size: number;
  /** Opens a session for an initialize POST and answers it. */
  open(req: IncomingMessage, res: ServerResponse, messages: JSONRPCMessage[]): Promise<void>;
  /** A session held here, or rebuilt from its sealed id; undefined → 404. */
  find(id: string, req: IncomingMessage): Promise<HttpSession | undefined>;
  /** DELETE: false when the id means nothing to this principal (404); closes the copy held here. */
  end(id: string, req: IncomingMessage): Promise<boolean>;
  closeAll(): Promise<void>;
}

export interface HttpSessionsOptions {
  sessionSecret?: string | readonly string[] | undefined;
  sessionMaxAge?: number | undefined;
  /** @default 1_800_000 */
  sessionIdleTimeout?: number | undefined;
  /** @default 100 */
  maxSessions?: number | undefined;
}

const DEFAULT_SESSION_IDLE = 30 * 60_000;
const DEFAULT_MAX_SESSIONS = 100;

/**
 * Opens, finds, rebuilds and ends downstream sessions. With a session
 * secret the ids are sealed and any replica holding the secret rebuilds a
 * session it never saw; `maxSessions` bounds what one process holds.
 */
export function createHttpSessions(gateway: Gateway, options: HttpSessionsOptions): HttpSessions {
  const idleMs = options.sessionIdleTimeout ?? DEFAULT_SESSION_IDLE;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
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
  const log = gateway.logger;

  const checkCapacity = () => {
    // Each session may own upstream sessions (maybe child processes): bound them.
    if (sessions.size + rebuilding.size >= maxSessions) {
      throw new HttpError(
        503,
        -32000,
        `Too many sessions: this gateway holds its maximum of ${maxSessions} (http.maxSessions); try again later or elsewhere`,
        {
          'retry-after': '5',
        },
      );
    }
  };

  const track = (id: string, entry: HttpSession) => {
    sessions.set(id, entry);
    entry.session.onclose = () => {
      if (sessions.get(id) === entry) sessions.delete(id);
    };
  };

  /** A gateway session on `transport`, its plain calls answered on the transport's direct lane. */
  const connect = async (
    transport: HttpServerTransport,
    options: { id: string; rebuilt?: boolean },
  ): Promise<GatewaySession> => {
    const session = await gateway.connect(transport, options);
    transport.answerCallsWith((params, id, controller) =>
      session.callDirect(params, id, controller),
    );
    return session;
  };

  const open = async (req: IncomingMessage, res: ServerResponse, messages: JSONRPCMessage[]) => {
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
    const session = await connect(transport, { id: sid });
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
        const session = await connect(transport, { id: claims.sid, rebuilt: true });
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

  return {
    get size() {
      return sessions.size;
    },
    open,
    find,
    end: async (id, req) => {
      const held = sessions.get(id);
      const principal = principalOf(req.headers.authorization);
      const known = held
        ? !sealer || samePrincipal(held.principal, principal)
        : sealer?.open(id, principal) !== undefined;
      if (known && held) await held.session.close();
      return known;
    },
    closeAll: async () => {
      clearInterval(sweeper);
      await Promise.allSettled([...rebuilding.values()]);
      await Promise.all([...sessions.values()].map((e) => e.session.close()));
      sessions.clear();
    },
  };
}
