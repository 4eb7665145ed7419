import { AsyncLocalStorage } from 'node:async_hooks';
import type { PoolPlugin } from '@mcpool/core';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
/** The downstream request on whose behalf the gateway is calling upstream. */
export interface DownstreamRequest<S = unknown> {
    readonly session: S;
    readonly requestId: RequestId;
}
/**
 * Carries the downstream request through the client, the aggregator and the
 * pool down to each attempt, where the upstream server is finally known.
 */
export declare const downstreamRequest: AsyncLocalStorage<DownstreamRequest<unknown>>;
/**
 * Which downstream requests have an attempt in flight on which upstream
 * server. A sampling, elicitation or roots request from a server is answered
 * by the downstream session (and related to the downstream request) that has
 * a call in flight on that server.
 */
export declare class InflightRequests<S> {
    private readonly byServer;
    /** A pool plugin that records every attempt made on behalf of a downstream request. */
    plugin(): PoolPlugin;
    private track;
    /** Downstream requests with an attempt in flight on `serverId`, oldest first. */
    on(serverId: string): DownstreamRequest<S>[];
}
//# sourceMappingURL=request-context.d.ts.map