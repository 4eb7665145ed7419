import { AsyncLocalStorage } from 'node:async_hooks';
/**
 * Carries the downstream request through the client, the aggregator and the
 * pool down to each attempt, where the upstream server is finally known.
 */
export const downstreamRequest = new AsyncLocalStorage();
/**
 * Which downstream requests have an attempt in flight on which upstream
 * server. A sampling, elicitation or roots request from a server is answered
 * by the downstream session (and related to the downstream request) that has
 * a call in flight on that server.
 */
export class InflightRequests {
    byServer = new Map();
    /** A pool plugin that records every attempt made on behalf of a downstream request. */
    plugin() {
        return {
            name: 'gateway-inflight',
            // Not async: most attempts carry no downstream request and pass straight through.
            attempt: (context, next) => {
                const request = downstreamRequest.getStore();
                return request ? this.track(context.server.id, request, next) : next();
            },
        };
    }
    async track(serverId, request, next) {
        let set = this.byServer.get(serverId);
        if (!set) {
            set = new Set();
            this.byServer.set(serverId, set);
        }
        set.add(request);
        try {
            return await next();
        }
        finally {
            set.delete(request);
            if (set.size === 0)
                this.byServer.delete(serverId);
        }
    }
    /** Downstream requests with an attempt in flight on `serverId`, oldest first. */
    on(serverId) {
        return [...(this.byServer.get(serverId) ?? [])];
    }
}
//# sourceMappingURL=request-context.js.map