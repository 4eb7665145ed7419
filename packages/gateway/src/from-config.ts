import { aggregationFromName } from '@mcpool/aggregators';
import { fromName } from '@mcpool/balancers';
import {
  type ConfigIssue,
  type Connector,
  InvalidConfigError,
  MultiServerClient,
  type PoolPlugin,
  ServerPool,
} from '@mcpool/core';
import type { GatewayConfig, GatewayServer } from './config.js';
import { issuesOf } from './config-issues.js';
import { connectorsFor } from './connectors.js';
import type { GatewayOptions } from './gateway.js';
import type { GatewayLogger } from './logger.js';
import { createRedactor } from './redact.js';
import type { UpstreamExtension } from './upstream.js';
import { VERSION } from './version.js';

/** What `gatewayOptionsFromConfig` adds to the file's settings. */
export interface FromConfigExtras {
  logger?: GatewayLogger | undefined;
  /** Applied before the configured features (metrics go first to count cache answers). */
  extensions?: readonly UpstreamExtension[] | undefined;
  /** More secrets to mask (the bearer token). */
  secrets?: readonly (string | undefined)[] | undefined;
  /** What stdio servers do with their stderr. @default 'inherit' */
  stdioStderr?: 'inherit' | 'ignore' | undefined;
}

interface HealthModule {
  HealthChecker: new (options: Record<string, unknown>) => PoolPlugin;
}
interface BreakerModule {
  CircuitBreakers: new (options: Record<string, unknown>) => PoolPlugin;
}
interface CacheModule {
  withCache: (
    client: MultiServerClient,
    options: Record<string, unknown>,
  ) => { close(): Promise<void> | void };
}

/**
 * Loads an optional mcpool package. The specifier is a variable so that the
 * gateway neither needs it to build nor installs it for users who do not want it.
 */
async function optional<T>(specifier: string, path: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
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
export async function gatewayOptionsFromConfig(
  config: GatewayConfig,
  extras: FromConfigExtras = {},
): Promise<GatewayOptions> {
  const issues: ConfigIssue[] = [];
  const features: UpstreamExtension[] = [];

  if (config.health) {
    const options = config.health;
    try {
      const { HealthChecker } = await optional<HealthModule>('@mcpool/health', 'health');
      new HealthChecker(options);
      features.push(({ pool }) => {
        pool.use(new HealthChecker(options));
        return undefined;
      });
    } catch (error) {
      issues.push(...issuesOf(error, 'health'));
    }
  }
  if (config.breaker) {
    const options = config.breaker;
    try {
      const { CircuitBreakers } = await optional<BreakerModule>(
        '@mcpool/circuit-breaker',
        'breaker',
      );
      new CircuitBreakers(options);
      features.push(({ pool }) => {
        pool.use(new CircuitBreakers(options));
        return undefined;
      });
    } catch (error) {
      issues.push(...issuesOf(error, 'breaker'));
    }
  }
  if (config.cache) {
    const options = config.cache;
    try {
      const { withCache } = await optional<CacheModule>('@mcpool/cache', 'cache');
      const probePool = new ServerPool();
      const probe = new MultiServerClient(probePool);
      try {
        await withCache(probe, options).close();
      } finally {
        await probe.close();
        await probePool.close();
      }
      features.push(({ client }) => {
        const cache = withCache(client, options);
        return async () => {
          await cache.close();
        };
      });
    } catch (error) {
      issues.push(...issuesOf(error, 'cache'));
    }
  }
  let connectors: Connector[] = [];
  try {
    connectors = await connectorsFor(config.servers);
  } catch (error) {
    issues.push(...issuesOf(error, 'mcpServers'));
  }
  if (issues.length > 0) throw new InvalidConfigError('mcpool configuration', issues);

  const servers: GatewayServer[] = config.servers.map((server) =>
    server.transport.type === 'stdio' && extras.stdioStderr
      ? { ...server, transport: { ...server.transport, stderr: extras.stdioStderr } }
      : server,
  );
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
