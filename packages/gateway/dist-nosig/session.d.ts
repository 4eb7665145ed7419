import type { CatalogList, ServerPool } from '@mcpool/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type CallToolResult, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { PlainCallParams } from './http-direct-calls.js';
import type { GatewayLogger } from './logger.js';
import type { Redact } from './redact.js';
import { type InflightRequests } from './request-context.js';
import { UpstreamRouter } from './router.js';
import { ClientAsks } from './session-asks.js';
import { type TraceRequest } from './trace-handlers.js';
import type { OpenUpstream, Upstream } from './upstream.js';
/** What a session needs from its gateway. */
export interface SessionHost {
    readonly redact: Redact;
    readonly logger: GatewayLogger;
    readonly namespacing: {
        policy?: 'prefix-on-conflict' | 'always' | 'reject';
        separator?: string;
    };
    /** The shared pool of stateless servers, if any. */
    readonly shared: Upstream | undefined;
    /** Ids of the servers marked `sessionState`. */
    readonly sessionStateServers: ReadonlySet<string>;
    /** Runs each downstream request inside a trace, when tracing is on. */
    readonly traceRequest?: TraceRequest | undefined;
    /** Opens this session's own pool of stateful servers (undefined when there are none). */
    openSessionUpstream(session: GatewaySession): Promise<OpenUpstream | undefined>;
    sessionClosed(session: GatewaySession): void;
}
/**
 * One downstream client: its SDK `Server`, its own upstream pool of stateful
 * servers (opened once the client has initialized, so that upstream servers
 * are offered exactly the capabilities the downstream client has) and its view
 * of the shared pool. Closing it closes its upstream sessions.
 */
export declare class GatewaySession {
    readonly server: Server;
    readonly transport: Transport;
    private readonly host;
    private readonly inflight;
    /** A gateway-side id, the same on every replica for a sealed HTTP session. */
    readonly id: string;
    /** Opened elsewhere and rebuilt here from a sealed session id. */
    readonly rebuilt: boolean;
    private upstream;
    private router;
    private opening;
    private events;
    /** Sampling, elicitation and roots requests of upstream servers, put to this session's client. */
    readonly asks: ClientAsks;
    private closing;
    private resolveClosed;
    /** Resolves once the session and its upstream sessions are closed. */
    readonly closed: Promise<void>;
    /** Called once the session has closed, whoever closed it. */
    onclose: (() => void) | undefined;
    constructor(server: Server, transport: Transport, host: SessionHost, inflight: InflightRequests<GatewaySession>, options?: {
        id?: string | undefined;
        rebuilt?: boolean | undefined;
    });
    /** The session's own upstream pool (stateful servers); undefined before initialize or when every server is stateless. */
    get pool(): ServerPool | undefined;
    /**
     * The 2026-07-28 cache hint of one merged list this session serves, from
     * what its upstream servers (its own and the shared ones) said of it.
     */
    cacheHint(list: CatalogList): {
        ttlMs: number;
        cacheScope: 'public' | 'private';
    };
    get isClosed(): boolean;
    /** Opens the upstream side once; every request waits for it. */
    ready(): Promise<UpstreamRouter>;
    private open;
    /**
     * On a session rebuilt from a sealed id, refuses a name served by a server
     * marked `sessionState`: its per-session state stayed with the replica
     * that opened the session, and a fresh upstream session would silently
     * lack it.
     */
    private refuseLostState;
    /**
     * A plain `tools/call` of the HTTP transport's direct lane: the same
     * forward as the SDK server's handler below, minus what only a request
     * with `_meta` needs. Undefined when the session is traced (the trace
     * wraps the SDK server's handlers) or closed.
     */
    callDirect(params: PlainCallParams, requestId: RequestId, signal: AbortSignal): Promise<CallToolResult> | undefined;
    /** Runs a forwarded request on behalf of a downstream request, with its signal and errors mapped. */
    private forward;
    /**
     * Whether an upstream server's request (sampling, elicitation, roots) may
     * need this session's downstream request: the shared pool routes by the
     * calls in flight on it, the session's own pool only for what the client
     * declared. When neither, the call runs without the `AsyncLocalStorage`
     * (which turns on promise hooks for the whole process).
     */
    private answersServerRequests;
    private install;
    private upstreams;
    /** The latest downstream request of this session with an attempt in flight on `serverId`. */
    relatedRequest(serverId: string): RequestId | undefined;
    /** Closes the downstream session and its upstream sessions. Never throws. */
    close(): Promise<void>;
    private shutdown;
}
//# sourceMappingURL=session.d.ts.map