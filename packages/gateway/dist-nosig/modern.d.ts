import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
import { Server as ModernServer, type ServerCapabilities } from '@modelcontextprotocol/server';
import type { Gateway } from './gateway.js';
import type { GatewaySession } from './session.js';
/**
 * What the gateway offers a modern client in `server/discover`: the same
 * merged surface a legacy client gets at initialize (logging aside, which
 * the 2026-07-28 revision deprecates).
 */
export declare const MODERN_CAPABILITIES: ServerCapabilities;
/** Where a tenant's change notifications go: the HTTP handler's listen streams, or a stdio connection. */
type Sink = (notification: JSONRPCNotification) => void;
/**
 * Serves modern requests for one authorization context (one bearer token,
 * or none): an in-process gateway session, opened once, answers every
 * request of that context, whichever replica or connection it came on.
 * Modern requests carry no session, so nothing else is kept per client.
 */
export declare class ModernTenant {
    private readonly gateway;
    private readonly principal;
    private readonly loop;
    private session;
    private readonly subscribed;
    private readonly sinks;
    constructor(gateway: Gateway, principal: string);
    /** Follows the session's list changes and resource updates; returns what stops it. */
    follow(sink: Sink): () => void;
    /** The session, opened (and its upstreams with it) on the first modern request. */
    ready(): Promise<GatewaySession>;
    /** A fresh SDK server for one modern request (HTTP) or connection (stdio), forwarding to the session. */
    createServer(info: {
        name: string;
        version: string;
    }, instructions: string | undefined): ModernServer;
    private forward;
    /**
     * Subscribes the session to resource updates for as long as a listen
     * stream asks for them; returns what unsubscribes (once no stream asks).
     */
    subscribe(uris: readonly string[]): Promise<() => void>;
    private release;
    close(): Promise<void>;
}
/**
 * The modern (2026-07-28) side of the gateway's HTTP endpoint. Requests the
 * SDK classifies as modern come here and are answered by the v2 SDK's
 * `createMcpHandler` (strict: `legacy: 'reject'`), which owns the era's
 * rules — envelope checks, `Mcp-Method`/`Mcp-Name` against the body
 * (-32020), unsupported versions (-32022 with `data.supported`),
 * `server/discover`, cache fields, `subscriptions/listen` — while each
 * request's server forwards to the tenant's session.
 */
export declare class ModernHttpFront {
    private readonly gateway;
    private readonly tenants;
    constructor(gateway: Gateway);
    private tenantFor;
    private drop;
    /**
     * Answers one modern POST whose body is already parsed. `settled` is
     * called once the request no longer counts as a call in flight (a
     * listen stream stays open for as long as the client keeps it).
     */
    handle(req: IncomingMessage, res: ServerResponse, body: unknown, principal: string, settled: () => void): Promise<void>;
    close(): Promise<void>;
}
export {};
//# sourceMappingURL=modern.d.ts.map