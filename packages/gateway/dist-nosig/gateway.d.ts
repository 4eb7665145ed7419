import { type Aggregator, type Balancer } from '@mcpool/core';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { GatewayServer } from './config.js';
import { type GatewayLogger } from './logger.js';
import { type Redact } from './redact.js';
import { GatewaySession } from './session.js';
import { type TraceRequest } from './trace-handlers.js';
import { type GatewayClientOptions, type GatewayPoolOptions, type Upstream, type UpstreamExtension } from './upstream.js';
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
    serverInfo?: {
        name: string;
        version: string;
    } | undefined;
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
export declare class Gateway implements AsyncDisposable {
    readonly redact: Redact;
    readonly logger: GatewayLogger;
    readonly namespacing: {
        policy?: 'prefix-on-conflict' | 'always' | 'reject';
        separator?: string;
    };
    private readonly options;
    private readonly sessionServers;
    private readonly sharedServers;
    private readonly liveSessions;
    private readonly sessionStateServers;
    private readonly inflight;
    private sharedUpstream;
    private readonly gates;
    private drainingSince;
    private starting;
    private closing;
    constructor(options: GatewayOptions);
    /** How the gateway introduces itself to downstream clients. */
    get serverInfo(): {
        name: string;
        version: string;
    };
    /** The `instructions` given to downstream clients, if any. */
    get instructions(): string | undefined;
    /** The pool of stateless servers shared by every session, once started (undefined when there are none). */
    get shared(): Upstream | undefined;
    /** Downstream sessions now open. */
    get sessions(): ReadonlySet<GatewaySession>;
    /** True once `drain()` was called: no new session is accepted. */
    get draining(): boolean;
    /**
     * Stops accepting new sessions; open sessions keep being served. The HTTP
     * listener's `shutdown()` calls it and then waits for calls in flight.
     */
    drain(): void;
    /**
     * Adds a condition `/readyz` checks on every probe (discovery registers
     * "the first listing arrived", for example). Returns what removes it.
     */
    addReadinessGate(gate: ReadinessGate, name?: string): () => void;
    /**
     * Whether this gateway should get new traffic: not draining, at least one
     * upstream server connected (when that can be known: the shared pool, or
     * any session's own; before the first session of a gateway without
     * stateless servers there is nothing to ask), and every readiness gate passing.
     */
    readiness(): Readiness;
    /** Opens the shared pool of stateless servers (if any). `connect` calls it for you. */
    start(): Promise<void>;
    /**
     * Serves one downstream client over `transport` (stdio, Streamable HTTP,
     * in-memory, ...). The session's own upstream sessions open once the client
     * has initialized and close with the session.
     */
    connect(transport: Transport, options?: ConnectOptions): Promise<GatewaySession>;
    private openSessionUpstream;
    /**
     * A stateless server's sampling, elicitation or roots request goes to the
     * one downstream session with a call in flight on it; when several have, the
     * gateway cannot tell which caused it and refuses rather than guess.
     */
    private sharedHandlers;
    private open;
    /** Closes every downstream session, their upstream sessions and the shared pool. */
    close(): Promise<void>;
    [Symbol.asyncDispose](): Promise<void>;
}
//# sourceMappingURL=gateway.d.ts.map