import { type Readable, type Writable } from 'node:stream';
import type { Gateway } from './gateway.js';
import type { GatewaySession } from './session.js';
/** Where the stdio session reads and writes. @default process.stdin / process.stdout */
export interface StdioGatewayOptions {
    stdin?: Readable | undefined;
    stdout?: Writable | undefined;
}
/**
 * Serves one downstream client (a desktop host that spawned `mcpool serve`)
 * over stdin/stdout, in the era its first message opens: `initialize` (or
 * any message without the 2026-07-28 envelope) serves a legacy session as
 * before; a modern request is served by the v2 SDK's `serveStdio` with no
 * session, answered by the gateway's pools. Resolves once the first message
 * is read; the session closes when stdin ends.
 */
export declare function serveStdio(gateway: Gateway, options?: StdioGatewayOptions): Promise<GatewaySession>;
//# sourceMappingURL=stdio.d.ts.map