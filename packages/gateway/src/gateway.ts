// Over 350 lines for its doc comments: `Gateway` is the package's public face, one
// short member each for sessions, readiness, draining, connect and close.
import {
  type Aggregator,
  type Balancer,
  InvalidConfigError,
  PoolClosedError,
  type ServerRequestContext,
  type ServerRequestHandlers,
} from '@mcpool/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { GatewayServer } from './config.js';
import { GatewayDrainingError } from './errors.js';
import { type GatewayLogger, silentLogger } from './logger.js';
import { createRedactor, type Redact } from './redact.js';
import { InflightRequests } from './request-context.js';
import { GatewaySession, type SessionHost } from './session.js';
import { type TraceRequest, traceHandlers } from './trace-handlers.js';
import {
  type GatewayClientOptions,
  type GatewayPoolOptions,
  type OpenUpstream,
  openUpstream,
  type Upstream,
  type UpstreamExtension,
  type UpstreamScope,
} from './upstream.js';
import { VERSION } from './version.js';

/** A condition of readiness; `true` passes. Keep it cheap: probes call it often. */
export type ReadinessGate = () => boolean;

/** What `Gateway.readiness()` answers. */
export interface Readiness {
  ready: boolean;
  /** Why not, when not ready. */
  reason?: string;
}

/** How `Gateway.connect` serves a transport. */
export interface ConnectOptions {
  /** The session's id, the same on every replica for a sealed session. @default a random UUID */
  id?: string | undefined;
  /**
   * The session was opened by another replica (or an earlier process) and
   * rebuilt here from its sealed id: calls to servers marked `sessionState`
   * are refused, since their per-session state is not here.
   */
  rebuilt?: boolean | undefined;
}

/** Options of a `Gateway`. Only `servers` is required. */
export interface GatewayOptions {
  /** The upstream servers; those marked `stateless` share one pool, the others are opened per downstream session. */
  servers: readonly GatewayServer[];
  /** Options of every pool the gateway opens (connection timeouts, namespacing, ...). */
  pool?: GatewayPoolOptions | undefined;
  /** Options of every client the gateway opens (timeouts, retries, fallback, ...). */
  client?: GatewayClientOptions | undefined;
  /** Makes the balancer of each pool (balancers keep state, so one each). @default round robin */
  balancer?: (() => Balancer) | undefined;
  /** Makes the aggregation of each client. @default first() */
  aggregation?: (() => Aggregator) | undefined;
  /** Applied to every upstream pool opened, in order: health checks, breakers, caches, metrics. */
  extensions?: readonly UpstreamExtension[] | undefined;
  /** How the gateway introduces itself to downstream clients. @default { name: 'mcpool', version } */
  serverInfo?: { name: string; version: string } | undefined;
  /** `instructions` in the downstream initialize result. */
  instructions?: string | undefined;
  /** Masks secrets in errors and logs. @default masks the servers' header, env and URL secrets */
  redact?: Redact | undefined;
  logger?: GatewayLogger | undefined;
  /** Runs each downstream request inside a trace (see telemetry.ts). @default untraced */
  traceRequest?: TraceRequest | undefined;
}

/**
 * An MCP server in front of a pool of MCP servers. Each downstream client
 * (`connect(transport)`) gets its own upstream sessions of the stateful
 * servers; servers marked `stateless` are served by one pool shared by every
 * downstream session. See the README for the composition.
 */
export class Gateway implements AsyncDisposable {
  readonly redact: Redact;
  readonly logger: GatewayLogger;
  readonly namespacing: { policy?: 'prefix-on-conflict' | 'always' | 'reject'; separator?: string };
  private readonly options: GatewayOptions;
  private readonly sessionServers: readonly GatewayServer[];
  private readonly sharedServers: readonly GatewayServer[];
  private readonly liveSessions = new Set<GatewaySession>();
  private readonly sessionStateServers: ReadonlySet<string>;
  private readonly inflight = new InflightRequests<GatewaySession>();
  private sharedUpstream: OpenUpstream | undefined;
  private readonly gates = new Map<ReadinessGate, string>();
  private drainingSince: number | undefined;
  private starting: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: GatewayOptions) {
    if (!options || !Array.isArray(options.servers) || options.servers.length === 0) {
      throw new InvalidConfigError('gateway options', [
        { path: 'servers', message: 'give at least one server' },
      ]);
    }
    this.options = options;
    this.sessionServers = options.servers.filter((s) => s.stateless !== true);
    this.sharedServers = options.servers.filter((s) => s.stateless === true);
    this.sessionStateServers = new Set(
      options.servers.filter((s) => s.sessionState === true).map((s) => s.id),
    );
    this.redact = options.redact ?? createRedactor(options.servers);
    this.logger = options.logger ?? silentLogger;
    const ns = options.pool?.namespacing;
    this.namespacing = {
      ...(ns?.policy ? { policy: ns.policy } : {}),
      ...(ns?.separator ? { separator: ns.separator } : {}),
    };
  }

  /** How the gateway introduces itself to downstream clients. */
  get serverInfo(): { name: string; version: string } {
    return this.options.serverInfo ?? { name: 'mcpool', version: VERSION };
  }

  /** The `instructions` given to downstream clients, if any. */
  get instructions(): string | undefined {
    return this.options.instructions;
  }

  /** The pool of stateless servers shared by every session, once started (undefined when there are none). */
  get shared(): Upstream | undefined {
    return this.sharedUpstream;
  }

  /** Downstream sessions now open. */
  get sessions(): ReadonlySet<GatewaySession> {
    return this.liveSessions;
  }

  /** True once `drain()` was called: no new session is accepted. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /**
   * Stops accepting new sessions; open sessions keep being served. The HTTP
   * listener's `shutdown()` calls it and then waits for calls in flight.
   */
  drain(): void {
    if (this.drainingSince === undefined) {
      this.drainingSince = Date.now();
      this.logger.info({ sessions: this.liveSessions.size }, 'draining');
    }
  }

  /**
   * Adds a condition `/readyz` checks on every probe (discovery registers
   * "the first listing arrived", for example). Returns what removes it.
   */
  addReadinessGate(gate: ReadinessGate, name = 'gate'): () => void {
    this.gates.set(gate, name);
    return () => {
      this.gates.delete(gate);
    };
  }

  /**
   * Whether this gateway should get new traffic: not draining, at least one
   * upstream server connected (when that can be known: the shared pool, or
   * any session's own; before the first session of a gateway without
   * stateless servers there is nothing to ask), and every readiness gate passing.
   */
  readiness(): Readiness {
    if (this.closing) return { ready: false, reason: 'closed' };
    if (this.drainingSince !== undefined) return { ready: false, reason: 'draining' };
    const pools = [
      ...(this.sharedUpstream ? [this.sharedUpstream.pool] : []),
      ...[...this.liveSessions].flatMap((s) => (s.pool ? [s.pool] : [])),
    ];
    if (pools.length > 0 && !pools.some((p) => p.servers().some((v) => v.state === 'connected'))) {
      return { ready: false, reason: 'no upstream server connected' };
    }
    if (this.sharedServers.length > 0 && !this.sharedUpstream) {
      return { ready: false, reason: 'starting' };
    }
    for (const [gate, name] of this.gates) {
      let passed = false;
      try {
        passed = gate() === true;
      } catch {
        passed = false;
      }
      if (!passed) return { ready: false, reason: `readiness gate "${name}" failing` };
    }
    return { ready: true };
  }

  /** Opens the shared pool of stateless servers (if any). `connect` calls it for you. */
  start(): Promise<void> {
    if (this.closing) return Promise.reject(new PoolClosedError('The gateway'));
    this.starting ??= (async () => {
      if (this.sharedServers.length === 0) return;
      this.sharedUpstream = await this.open('shared', this.sharedServers, this.sharedHandlers());
      this.logger.info(
        { servers: this.sharedServers.map((s) => s.id) },
        'shared pool of stateless servers open',
      );
    })();
    return this.starting;
  }

  /**
   * Serves one downstream client over `transport` (stdio, Streamable HTTP,
   * in-memory, ...). The session's own upstream sessions open once the client
   * has initialized and close with the session.
   */
  async connect(transport: Transport, options: ConnectOptions = {}): Promise<GatewaySession> {
    await this.start();
    if (this.closing) throw new PoolClosedError('The gateway');
    // A rebuilt session is an old one that moved here: serve it while draining.
    if (this.drainingSince !== undefined && options.rebuilt !== true) {
      throw new GatewayDrainingError();
    }
    const server = new Server(this.serverInfo, {
      capabilities: {
        tools: { listChanged: true },
        prompts: { listChanged: true },
        resources: { subscribe: true, listChanged: true },
        completions: {},
        logging: {},
      },
      ...(this.options.instructions ? { instructions: this.options.instructions } : {}),
    });
    if (this.options.traceRequest) traceHandlers(server, this.options.traceRequest);
    const host: SessionHost = {
      redact: this.redact,
      logger: this.logger,
      namespacing: this.namespacing,
      shared: this.sharedUpstream,
      sessionStateServers: this.sessionStateServers,
      traceRequest: this.options.traceRequest,
      openSessionUpstream: (session) => this.openSessionUpstream(session),
      sessionClosed: (session) => {
        this.liveSessions.delete(session);
        this.logger.info({ session: session.id }, 'session closed');
      },
    };
    const session = new GatewaySession(server, transport, host, this.inflight, options);
    this.liveSessions.add(session);
    try {
      await server.connect(transport);
    } catch (error) {
      await session.close();
      throw error;
    }
    this.logger.info({ session: session.id }, 'session open');
    return session;
  }

  private async openSessionUpstream(session: GatewaySession): Promise<OpenUpstream | undefined> {
    if (this.sessionServers.length === 0) return undefined;
    const caps = session.server.getClientCapabilities() ?? {};
    // Offer upstream servers only what the downstream client can do.
    const handlers: ServerRequestHandlers = {};
    if (caps.sampling) {
      handlers.sampling = (params, context) =>
        session.asks.createMessage(
          params,
          context.signal,
          session.relatedRequest(context.serverId),
        );
    }
    if (caps.elicitation) {
      handlers.elicitation = (params, context) =>
        session.asks.elicitInput(params, context.signal, session.relatedRequest(context.serverId));
    }
    if (caps.roots) {
      handlers.roots = (context) =>
        session.asks.listRoots(context.signal, session.relatedRequest(context.serverId));
    }
    return this.open('session', this.sessionServers, handlers);
  }

  /**
   * A stateless server's sampling, elicitation or roots request goes to the
   * one downstream session with a call in flight on it; when several have, the
   * gateway cannot tell which caused it and refuses rather than guess.
   */
  private sharedHandlers(): ServerRequestHandlers {
    const target = (context: ServerRequestContext, kind: string) => {
      const requests = this.inflight.on(context.serverId);
      const sessions = new Set(requests.map((r) => r.session));
      const [session] = sessions;
      if (sessions.size !== 1 || !session) {
        throw new McpError(
          ErrorCode.InvalidRequest,
          sessions.size === 0
            ? `mcpool: no client call is in flight on "${context.serverId}", so no client can answer its ${kind} request.`
            : `mcpool: "${context.serverId}" is shared by several clients (stateless), so its ${kind} request cannot be routed; do not mark it stateless.`,
        );
      }
      const related: RequestId | undefined = requests
        .filter((r) => r.session === session)
        .at(-1)?.requestId;
      return { session, related };
    };
    return {
      sampling: (params, context) => {
        const { session, related } = target(context, 'sampling');
        return session.asks.createMessage(params, context.signal, related);
      },
      elicitation: (params, context) => {
        const { session, related } = target(context, 'elicitation');
        return session.asks.elicitInput(params, context.signal, related);
      },
      roots: (context) => {
        const { session, related } = target(context, 'roots');
        return session.asks.listRoots(context.signal, related);
      },
    };
  }

  private async open(
    scope: UpstreamScope,
    servers: readonly GatewayServer[],
    handlers: ServerRequestHandlers,
  ): Promise<OpenUpstream> {
    const inflight = this.inflight;
    return openUpstream({
      scope,
      servers,
      pool: this.options.pool ?? {},
      client: this.options.client ?? {},
      balancer: this.options.balancer,
      aggregation: this.options.aggregation,
      handlers,
      extensions: [
        ({ pool }) => {
          pool.use(inflight.plugin());
          return undefined;
        },
        ...(this.options.extensions ?? []),
      ],
    });
  }

  /** Closes every downstream session, their upstream sessions and the shared pool. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.starting?.catch(() => {});
      await Promise.all([...this.liveSessions].map((s) => s.close()));
      await this.sharedUpstream?.close();
      this.logger.info({}, 'gateway closed');
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
