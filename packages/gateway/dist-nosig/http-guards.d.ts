import type { IncomingMessage } from 'node:http';
/** A refusal with its HTTP status, JSON-RPC code and headers. */
export declare class HttpError extends Error {
    readonly status: number;
    readonly rpcCode: number;
    readonly headers: Record<string, string>;
    constructor(status: number, rpcCode: number, message: string, headers?: Record<string, string>);
}
export declare const LOOPBACK_HOSTS: string[];
/** The host name of a `Host` header (`example.com:80` → `example.com`, `[::1]:3333` → `[::1]`). */
export declare function hostName(host: string): string;
/** What every MCP request must pass before it reaches a session. */
export interface Guards {
    /** `Host` and `Origin` against DNS rebinding: 403. */
    origin(req: IncomingMessage): void;
    /** The bearer token, when one is configured: 401. */
    token(req: IncomingMessage): void;
}
export interface GuardOptions {
    token?: string | undefined;
    allowedHosts?: readonly string[] | undefined;
    allowedOrigins?: readonly string[] | undefined;
}
/**
 * The guards of one gateway; throws `InvalidConfigError` for bad options. The
 * options are checked with zod once, here; the per-request checks below are
 * hand-written because they run on every request.
 */
export declare function createGuards(options: GuardOptions): Guards;
/** Reads a JSON body of at most `maxBody` bytes: 413 beyond, 400 when it is not JSON. */
export declare function readJsonBody(req: IncomingMessage, maxBody: number): Promise<unknown>;
/** Whether the `Accept` header names a media type or any type; a missing header names none, as in the SDK. */
export declare function accepts(req: IncomingMessage, type: string): boolean;
//# sourceMappingURL=http-guards.d.ts.map