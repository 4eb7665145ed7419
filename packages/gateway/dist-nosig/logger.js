/** Logs nothing. */
export const silentLogger = {
    debug: () => { },
    info: () => { },
    warn: () => { },
    error: () => { },
};
/** Logs what the pools of the gateway go through: connections, health, retries, failures. */
export function loggingExtension(logger, redact) {
    return ({ pool, scope }) => {
        const offs = [];
        const on = (event, listener) => {
            pool.on(event, listener);
            offs.push(() => pool.off(event, listener));
        };
        const reason = (text) => redact(text);
        on('server:connected', (e) => logger.info({ scope, server: e.serverId, era: e.era }, 'server connected'));
        on('server:unhealthy', (e) => logger.warn({ scope, server: e.serverId, source: e.source, reason: reason(e.reason) }, 'server out of selection'));
        on('server:healthy', (e) => logger.info({ scope, server: e.serverId, source: e.source }, 'server back in selection'));
        on('request:retry', (e) => logger.info({ scope, method: e.method, from: e.from, to: e.to }, 'retry on another server'));
        on('request:fallback', (e) => logger.info({ scope, method: e.method, from: e.from, to: e.to }, 'fallback'));
        on('pool:panic', (e) => logger.warn({ scope, method: e.method, servers: e.servers }, 'no healthy server: trying all'));
        on('catalog:conflict', (e) => logger.warn({ scope, kind: e.kind, name: e.name, servers: e.servers }, 'servers define a name differently; it is namespaced'));
        on('pool:error', (e) => logger.error({
            scope,
            server: e.serverId,
            source: e.source,
            err: reason(e.error instanceof Error ? e.error.message : String(e.error)),
        }, 'pool error'));
        on('attempt', (e) => logger.debug({
            scope,
            server: e.server.id,
            method: e.method,
            outcome: e.outcome,
            ms: Math.round(e.latencyMs * 100) / 100,
        }, 'attempt'));
        return () => {
            for (const off of offs.splice(0))
                off();
        };
    };
}
//# sourceMappingURL=logger.js.map