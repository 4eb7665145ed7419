import type { ServerPool } from '@mcpool/core';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { UpstreamRouter } from './router.js';
import type { SessionHost } from './session.js';
/**
 * What a downstream session hears from its upstream pools: log messages,
 * updates of the resources it subscribed to, and changes of the merged
 * catalogs, sent as `list_changed` only when the merged view changed.
 */
export declare class SessionEvents {
    private readonly session;
    private readonly host;
    private readonly router;
    private readonly offs;
    private fingerprints;
    private listTimer;
    private stopped;
    constructor(session: {
        readonly id: string;
        readonly server: Server;
        readonly transport: Transport;
    }, host: SessionHost, router: UpstreamRouter);
    /** Follows the pools and takes the catalogs the client starts from. */
    follow(pools: readonly ServerPool[]): Promise<void>;
    stop(): void;
    private followPool;
    private scheduleListCheck;
    /** Sends `list_changed` for each list whose merged view changed since the client last heard. */
    private checkLists;
    private currentFingerprints;
}
//# sourceMappingURL=session-events.d.ts.map