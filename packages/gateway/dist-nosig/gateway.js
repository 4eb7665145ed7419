// Over 350 lines for its doc comments: `Gateway` is the package's public face, one
// short member each for sessions, readiness, draining, connect and close.
import { InvalidConfigError, PoolClosedError, } from '@mcpool/core';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { GatewayDrainingError } from './errors.js';
import { silentLogger } from './logger.js';
import { createRedactor } from './redact.js';
import { InflightRequests } from './request-context.js';
import { GatewaySession } from './session.js';
import { traceHandlers } from './trace-handlers.js';
import { openUpstream, } from './upstream.js';
import { VERSION } from './version.js';
/**
 * An MCP server in front of a pool of MCP servers. Each downstream client
 * (`connect(transport)`) gets its own upstream sessions of the stateful
 * servers; servers marked `stateless` are served by one pool shared by every
 * downstream session. See the README for the composition.
 */
export class Gateway {
    redact;
    logger;
    namespacing;
    options;
    sessionServers;
    sharedServers;
    liveSessions = new Set();
    sessionStateServers;
    inflight = new InflightRequests();
    sharedUpstream;
    gates = new Map();
    drainingSince;
    starting;
    closing;
    constructor(options) {
        if (!options || !Array.isArray(options.servers) || options.servers.length === 0) {
            throw new InvalidConfigError('gateway options', [
                { path: 'servers', message: 'give at least one server' },
            ]);
        }
        this.options = options;
        this.sessionServers = options.servers.filter((s) => s.stateless !== true);
        this.sharedServers = options.servers.filter((s) => s.stateless === true);
        this.sessionStateServers = new Set(options.servers.filter((s) => s.sessionState === true).map((s) => s.id));
        this.redact = options.redact ?? createRedactor(options.servers);
        this.logger = options.logger ?? silentLogger;
        const ns = options.pool?.namespacing;
        this.namespacing = {
            ...(ns?.policy ? { policy: ns.policy } : {}),
            ...(ns?.separator ? { separator: ns.separator } : {}),
        };
    }
    /** How the gateway introduces itself to downstream clients. */
    get serverInfo() {
        return this.options.serverInfo ?? { name: 'mcpool', version: VERSION };
    }
    /** The `instructions` given to downstream clients, if any. */
    get instructions() {
        return this.options.instructions;
    }
    /** The pool of stateless servers shared by every session, once started (undefined when there are none). */
    get shared() {
        return this.sharedUpstream;
    }
    /** Downstream sessions now open. */
    get sessions() {
        return this.liveSessions;
    }
    /** True once `drain()` was called: no new session is accepted. */
    get draining() {
        return this.drainingSince !== undefined;
    }
    /**
     * Stops accepting new sessions; open sessions keep being served. The HTTP
     * listener's `shutdown()` calls it and then waits for calls in flight.
     */
    drain() {
        if (this.drainingSince === undefined) {
            this.drainingSince = Date.now();
            this.logger.info({ sessions: this.liveSessions.size }, 'draining');
        }
    }
    /**
     * Adds a condition `/readyz` checks on every probe (discovery registers
     * "the first listing arrived", for example). Returns what removes it.
     */
    addReadinessGate(gate, name = 'gate') {
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
    readiness() {
        if (this.closing)
            return { ready: false, reason: 'closed' };
        if (this.drainingSince !== undefined)
            return { ready: false, reason: 'draining' };
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
            }
            catch {
                passed = false;
            }
            if (!passed)
                return { ready: false, reason: `readiness gate "${name}" failing` };
        }
        return { ready: true };
    }
    /** Opens the shared pool of stateless servers (if any). `connect` calls it for you. */
    start() {
        if (this.closing)
            return Promise.reject(new PoolClosedError('The gateway'));
        this.starting ??= (async () => {
            if (this.sharedServers.length === 0)
                return;
            this.sharedUpstream = await this.open('shared', this.sharedServers, this.sharedHandlers());
            this.logger.info({ servers: this.sharedServers.map((s) => s.id) }, 'shared pool of stateless servers open');
        })();
        return this.starting;
    }
    /**
     * Serves one downstream client over `transport` (stdio, Streamable HTTP,
     * in-memory, ...). The session's own upstream sessions open once the client
     * has initialized and close with the session.
     */
    async connect(transport, options = {}) {
        await this.start();
        if (this.closing)
            throw new PoolClosedError('The gateway');
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
        if (this.options.traceRequest)
            traceHandlers(server, this.options.traceRequest);
        const host = {
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
        }
        catch (error) {
            await session.close();
            throw error;
        }
        this.logger.info({ session: session.id }, 'session open');
        return session;
    }
    async openSessionUpstream(session) {
        if (this.sessionServers.length === 0)
            return undefined;
        const caps = session.server.getClientCapabilities() ?? {};
        // Offer upstream servers only what the downstream client can do.
        const handlers = {};
        if (caps.sampling) {
            handlers.sampling = (params, context) => session.asks.createMessage(params, context.signal, session.relatedRequest(context.serverId));
        }
        if (caps.elicitation) {
            handlers.elicitation = (params, context) => session.asks.elicitInput(params, context.signal, session.relatedRequest(context.serverId));
        }
        if (caps.roots) {
            handlers.roots = (context) => session.asks.listRoots(context.signal, session.relatedRequest(context.serverId));
        }
        return this.open('session', this.sessionServers, handlers);
    }
    /**
     * A stateless server's sampling, elicitation or roots request goes to the
     * one downstream session with a call in flight on it; when several have, the
     * gateway cannot tell which caused it and refuses rather than guess.
     */
    sharedHandlers() {
        const target = (context, kind) => {
            const requests = this.inflight.on(context.serverId);
            const sessions = new Set(requests.map((r) => r.session));
            const [session] = sessions;
            if (sessions.size !== 1 || !session) {
                throw new McpError(ErrorCode.InvalidRequest, sessions.size === 0
                    ? `mcpool: no client call is in flight on "${context.serverId}", so no client can answer its ${kind} request.`
                    : `mcpool: "${context.serverId}" is shared by several clients (stateless), so its ${kind} request cannot be routed; do not mark it stateless.`);
            }
            const related = requests
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
    async open(scope, servers, handlers) {
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
    close() {
        this.closing ??= (async () => {
            await this.starting?.catch(() => { });
            await Promise.all([...this.liveSessions].map((s) => s.close()));
            await this.sharedUpstream?.close();
            this.logger.info({}, 'gateway closed');
        })();
        return this.closing;
    }
    async [Symbol.asyncDispose]() {
        await this.close();
    }
}
//# sourceMappingURL=gateway.js.map