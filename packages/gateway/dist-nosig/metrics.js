import { ServerPool, } from '@mcpool/core';
import { prometheusExporter, } from '@mcpool/prometheus';
const RELAYED = [
    'attempt',
    'request:retry',
    'request:fallback',
    'pool:panic',
    'server:healthy',
    'server:unhealthy',
    'pool:error',
];
const STATE_RANK = {
    connected: 4,
    connecting: 3,
    draining: 2,
    down: 1,
    closed: 0,
};
/**
 * Every pool of the gateway seen as one, for exporters that watch one pool:
 * it relays the pools' traffic events and sums their figures per server (a
 * server is healthy when it is healthy in any session). It holds no servers
 * and is never started. Servers of the per-session pools appear once a
 * session has opened them.
 */
export class PoolAggregate extends ServerPool {
    tracked = new Map();
    /** The `onAttempt` hooks of the plugins installed here: they hear every tracked pool's attempts. */
    hearers = new Set();
    /** Installs a plugin; its `onAttempt` hook hears the attempts of every pool tracked. */
    use(plugin) {
        const detach = super.use(plugin);
        const hear = plugin.onAttempt;
        if (!hear)
            return detach;
        this.hearers.add(hear);
        return async () => {
            this.hearers.delete(hear);
            await detach();
        };
    }
    /** Follows a pool until it closes (or until the returned function is called). */
    track(pool) {
        if (this.tracked.has(pool))
            return this.tracked.get(pool);
        const offs = [];
        for (const event of RELAYED) {
            const relay = (...args) => {
                this.emit(event, ...args);
                if (event === 'attempt')
                    this.hearAttempt(args[0]);
            };
            pool.on(event, relay);
            offs.push(() => pool.off(event, relay));
        }
        const untrack = () => {
            for (const off of offs.splice(0))
                off();
            this.tracked.delete(pool);
        };
        this.tracked.set(pool, untrack);
        return untrack;
    }
    hearAttempt(report) {
        for (const hear of this.hearers) {
            try {
                hear(report);
            }
            catch (error) {
                this.emit('pool:error', { source: 'plugin', serverId: report.server.id, error });
            }
        }
    }
    getMetrics() {
        const byServer = new Map();
        let totalRequests = 0;
        let failedRequests = 0;
        for (const pool of this.tracked.keys()) {
            if (pool.isClosed)
                continue;
            const m = pool.getMetrics();
            totalRequests += m.totalRequests;
            failedRequests += m.failedRequests;
            for (const s of m.serverMetrics) {
                const list = byServer.get(s.serverId) ?? [];
                list.push(s);
                byServer.set(s.serverId, list);
            }
        }
        const serverMetrics = [...byServer.values()].map(mergeServer);
        return {
            totalServers: serverMetrics.length,
            healthyServers: serverMetrics.filter((s) => s.healthy).length,
            totalRequests,
            failedRequests,
            inFlight: serverMetrics.reduce((n, s) => n + s.inFlight, 0),
            serverMetrics,
        };
    }
}
function mergeServer(list) {
    const first = list[0];
    if (list.length === 1)
        return first;
    const sum = (f) => list.reduce((n, s) => n + f(s), 0);
    const max = (f) => Math.max(...list.map(f));
    const requests = sum((s) => s.requestCount);
    const healthy = list.some((s) => s.healthy);
    const best = list.reduce((a, b) => (STATE_RANK[b.state] > STATE_RANK[a.state] ? b : a));
    const ewmas = list.map((s) => s.latencyEwma).filter((v) => v !== undefined);
    return {
        ...first,
        state: best.state,
        connected: list.some((s) => s.connected),
        healthy,
        exclusions: healthy ? {} : best.exclusions,
        connections: sum((s) => s.connections),
        inFlight: sum((s) => s.inFlight),
        requestCount: requests,
        errorCount: sum((s) => s.errorCount),
        responseTime: requests === 0 ? 0 : sum((s) => s.responseTime * s.requestCount) / requests,
        latencyEwma: ewmas.length === 0 ? undefined : ewmas.reduce((a, b) => a + b, 0) / ewmas.length,
        // Percentiles do not add up; the worst session's is the honest bound.
        latencyP50: max((s) => s.latencyP50),
        latencyP95: max((s) => s.latencyP95),
        latencyP99: max((s) => s.latencyP99),
        lastUsed: max((s) => s.lastUsed),
    };
}
/** Exports the figures of every pool the gateway opens through one `@mcpool/prometheus` exporter. */
export function gatewayMetrics() {
    const aggregate = new PoolAggregate();
    const exporter = prometheusExporter();
    aggregate.use(exporter);
    let server;
    return {
        exporter,
        aggregate,
        extension: ({ pool, client }) => {
            const untrack = aggregate.track(pool);
            const unobserve = exporter.observeClient(client);
            return () => {
                unobserve();
                untrack();
            };
        },
        async listen(host, port) {
            server = await exporter.startMetricsServer({ host, port });
            return server;
        },
        async close() {
            await server?.close();
            await aggregate.close();
        },
    };
}
//# sourceMappingURL=metrics.js.map