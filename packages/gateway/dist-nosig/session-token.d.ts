import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/sdk/types.js';
/**
 * What a sealed session id holds: enough for any replica to rebuild the
 * downstream session, and who it belongs to.
 */
export interface SessionClaims {
    /** A random id of the session, the same on every replica (subscriptions and logs use it). */
    sid: string;
    /** The negotiated protocol version. */
    protocolVersion: string;
    clientInfo: Implementation;
    capabilities: ClientCapabilities;
    /** base64url SHA-256 of the bearer token the session was opened with ('' without one). */
    principal: string;
    /** Issued at, ms since the epoch. */
    iat: number;
    /** Expires at, ms since the epoch. */
    exp: number;
}
/** Seals and opens session ids with AES-256-GCM. */
export interface SessionSealer {
    seal(claims: Omit<SessionClaims, 'iat' | 'exp'>, now?: number): string;
    /**
     * The claims of a sealed id, or undefined when it is forged, tampered,
     * truncated, sealed with an unknown key, expired, or presented by another
     * principal. The caller answers all of these alike (404), so that a
     * probe learns nothing.
     */
    open(id: string, principal: string, now?: number): SessionClaims | undefined;
}
/** Options of `createSessionSealer`. */
export interface SessionSealerOptions {
    /**
     * Secrets, newest first: the first seals, every one opens, so that a
     * secret can rotate (add the new one first, drop the old one once the
     * sessions it sealed have expired). Each at least 32 characters.
     */
    secrets: readonly string[];
    /** How long a session id stays valid, ms. @default 86_400_000 (24 h) */
    maxAgeMs?: number | undefined;
}
export declare const DEFAULT_SESSION_MAX_AGE_MS: number;
/** The principal of a request: a hash of its bearer token, so that the token is never stored. */
export declare function principalOf(authorization: string | undefined): string;
/** Splits `MCPOOL_SESSION_SECRET` (comma-separated, newest first). */
export declare function secretsFromEnv(value: string | undefined): string[];
/** Creates the sealer of session ids; throws `InvalidConfigError` for a missing or short secret. */
export declare function createSessionSealer(options: SessionSealerOptions): SessionSealer;
/** Constant-time comparison of two principals (hashes of equal length, or '' for none). */
export declare function samePrincipal(a: string, b: string): boolean;
//# sourceMappingURL=session-token.d.ts.map