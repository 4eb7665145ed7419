import type { GatewayServer } from './config.js';
/** Replaces secrets in text that leaves the gateway (errors, logs, `check` output). */
export type Redact = (text: string) => string;
/**
 * Builds a redactor from the servers' configuration: every header value, env
 * value, URL password and query value (and any extra secret such as the bearer
 * token) is masked wherever it appears. Upstream errors can echo these (a URL in
 * a fetch error, a header in a proxy's answer); downstream clients must never see them.
 */
export declare function createRedactor(servers: readonly GatewayServer[], extra?: readonly (string | undefined)[]): Redact;
//# sourceMappingURL=redact.d.ts.map