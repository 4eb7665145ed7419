import type { PoolEvents } from '@mcpool/core';
import type { UpstreamExtension } from './upstream.js';

/** The logging the gateway does: a pino `Logger` fits, and so does a console adapter. */
export interface GatewayLogger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** Logs nothing. */
export const silentLogger: GatewayLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

/** Logs what the pools of the gateway go through: connections, health, retries, failures. */
export function loggingExtension(
  logger: GatewayLogger,
  redact: (text: string) => string,
): UpstreamExtension {
  return ({ pool, scope }) => {
    const offs: (() => void)[] = [];
    const on = <K extends keyof PoolEvents>(
      event: K,
      listener: (...args: PoolEvents[K]) => void,
    ) => {
      pool.on(event, listener);
      offs.push(() => pool.off(event, listener));
    };
    const reason = (text: string) => redact(text);
    on('server:connected', (e) =>
      logger.info({ scope, server: e.serverId, era: e.era }, 'server connected'),
    );
    on('server:unhealthy', (e) =>
      logger.warn(
        { scope, server: e.serverId, source: e.source, reason: reason(e.reason) },
        'server out of selection',
      ),
    );
    on('server:healthy', (e) =>
      logger.info({ scope, server: e.serverId, source: e.source }, 'server back in selection'),
    );
    on('request:retry', (e) =>
      logger.info({ scope, method: e.method, from: e.from, to: e.to }, 'retry on another server'),
    );
    on('request:fallback', (e) =>
      logger.info({ scope, method: e.method, from: e.from, to: e.to }, 'fallback'),
    );
    on('pool:panic', (e) =>
      logger.warn({ scope, method: e.method, servers: e.servers }, 'no healthy server: trying all'),
    );
    on('catalog:conflict', (e) =>
      logger.warn(
        { scope, kind: e.kind, name: e.name, servers: e.servers },
        'servers define a name differently; it is namespaced',
      ),
    );
    on('pool:error', (e) =>
      logger.error(
        {
          scope,
          server: e.serverId,
          source: e.source,
          err: reason(e.error instanceof Error ? e.error.message : String(e.error)),
        },
        'pool error',
      ),
    );
    on('attempt', (e) =>
      logger.debug(
        {
          scope,
          server: e.server.id,
          method: e.method,
          outcome: e.outcome,
          ms: Math.round(e.latencyMs * 100) / 100,
        },
        'attempt',
      ),
    );
    return () => {
      for (const off of offs.splice(0)) off();
    };
  };
}
