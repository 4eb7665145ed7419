import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Gateway } from './gateway.js';
import { HttpServerTransport } from './http-transport.js';
import type { GatewaySession } from './session.js';
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
/**
 * Opens, finds, rebuilds and ends downstream sessions. With a session
 * secret the ids are sealed and any replica holding the secret rebuilds a
 * session it never saw; `maxSessions` bounds what one process holds.
 */
export declare function createHttpSessions(gateway: Gateway, options: HttpSessionsOptions): HttpSessions;
//# sourceMappingURL=http-sessions.d.ts.map