import { aggregationFromName } from '@mcpool/aggregators';
import { fromName } from '@mcpool/balancers';
import { InvalidConfigError, MultiServerClient, ServerPool, } from '@mcpool/core';
import { issuesOf } from './config-issues.js';
import { connectorsFor } from './connectors.js';
import { createRedactor } from './redact.js';
import { VERSION } from './version.js';
/**
 * Loads an optional mcpool package. The specifier is a variable so that the
 * gateway neither needs it to build nor installs it for users who do not want it.
 */
async function optional(specifier, path) {
    try {
        return (await import(specifier));
    }
    catch (error) {
        const code = error.code;
        if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
            throw new InvalidConfigError('mcpool configuration', [
                { path, message: `needs the package ${specifier}: install it beside @mcpool/gateway` },
            ]);
        }
        throw error;
    }
}
/**
 * Turns a validated configuration file into `Gateway` options: balancer and
 * aggregation by name, timeouts, retries, fallback, and the optional health
 * checks, circuit breakers and cache (each checked now, so that a bad option
 * is reported before anything starts).
 */
export async function gatewayOptionsFromConfig(config, extras = {}) {
    const issues = [];
    const features = [];
    if (config.health) {
        const options = config.health;
        try {
            const { HealthChecker } = await optional('@mcpool/health', 'health');
            new HealthChecker(options);
            features.push(({ pool }) => {
                pool.use(new HealthChecker(options));
                return undefined;
            });
        }
        catch (error) {
            issues.push(...issuesOf(error, 'health'));
        }
    }
    if (config.breaker) {
        const options = config.breaker;
        try {
            const { CircuitBreakers } = await optional('@mcpool/circuit-breaker', 'breaker');
            new CircuitBreakers(options);
            features.push(({ pool }) => {
                pool.use(new CircuitBreakers(options));
                return undefined;
            });
        }
        catch (error) {
            issues.push(...issuesOf(error, 'breaker'));
        }
    }
    if (config.cache) {
        const options = config.cache;
        try {
            const { withCache } = await optional('@mcpool/cache', 'cache');
            const probePool = new ServerPool();
            const probe = new MultiServerClient(probePool);
            try {
                await withCache(probe, options).close();
            }
            finally {
                await probe.close();
                await probePool.close();
            }
            features.push(({ client }) => {
                const cache = withCache(client, options);
                return async () => {
                    await cache.close();
                };
            });
        }
        catch (error) {
            issues.push(...issuesOf(error, 'cache'));
        }
    }
    let connectors = [];
    try {
        connectors = await connectorsFor(config.servers);
    }
    catch (error) {
        issues.push(...issuesOf(error, 'mcpServers'));
    }
    if (issues.length > 0)
        throw new InvalidConfigError('mcpool configuration', issues);
    const servers = config.servers.map((server) => server.transport.type === 'stdio' && extras.stdioStderr
        ? { ...server, transport: { ...server.transport, stderr: extras.stdioStderr } }
        : server);
    const { timeouts, retries } = config;
    return {
        servers,
        pool: {
            clientInfo: { name: 'mcpool-gateway', version: VERSION },
            ...(connectors.length > 0 ? { connectors } : {}),
            ...(config.namespacing ? { namespacing: config.namespacing } : {}),
            ...(config.maxConnectionsPerServer !== undefined
                ? { maxConnectionsPerServer: config.maxConnectionsPerServer }
                : {}),
            ...(timeouts.connect !== undefined ? { connectionTimeout: timeouts.connect } : {}),
            ...(timeouts.idle !== undefined ? { idleTimeout: timeouts.idle } : {}),
            ...(timeouts.drain !== undefined ? { drainTimeout: timeouts.drain } : {}),
            ...(config.reconnect ? { reconnect: config.reconnect } : {}),
        },
        client: {
            ...(timeouts.request !== undefined ? { requestTimeout: timeouts.request } : {}),
            ...(timeouts.attempt !== undefined ? { attemptTimeout: timeouts.attempt } : {}),
            ...(retries.max !== undefined ? { maxRetries: retries.max } : {}),
            ...(retries.safeTools ? { safeTools: retries.safeTools } : {}),
            ...(retries.unsafeTools ? { unsafeTools: retries.unsafeTools } : {}),
            ...(retries.budget !== undefined ? { retryBudget: retries.budget } : {}),
            ...(retries.backoff ? { backoff: retries.backoff } : {}),
            ...(config.fallback ? { fallback: config.fallback } : {}),
        },
        balancer: () => fromName(config.strategy),
        aggregation: () => aggregationFromName(config.aggregation),
        extensions: [...(extras.extensions ?? []), ...features],
        redact: createRedactor(servers, [config.http.token, ...(extras.secrets ?? [])]),
        ...(extras.logger ? { logger: extras.logger } : {}),
    };
}
//# sourceMappingURL=from-config.js.map