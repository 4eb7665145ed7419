import type { HttpSettings } from './config.js';
import type { Gateway } from './gateway.js';
export { PROBE_PATHS } from './http-probes.js';
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
/** How long `shutdown()` waits for calls in flight by default, ms. */
export declare const DEFAULT_DRAIN_MS = 30000;
/**
 * Serves a gateway over Streamable HTTP, one downstream session per MCP
 * session id. Guards, in order: `Host` and `Origin` against DNS rebinding
 * (403), the bearer token (401), the body size (413). With a session secret
 * the ids are sealed, and any replica sharing the secret serves any session.
 */
export declare function startHttpGateway(gateway: Gateway, options?: HttpGatewayOptions): Promise<HttpGateway>;
//# sourceMappingURL=http.d.ts.map