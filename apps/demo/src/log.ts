import type { ServerPool } from '@mcpool/core';
import { type Logger, pino } from 'pino';

/**
 * Structured logs (pino) with the lines the seed's troubleshooting guide
 * greps for: "Load balancing", "Health check", "Failover", "Fallback".
 */
export function createLogger(file: string): Logger {
  return pino(
    { base: { app: 'mcpool-demo' }, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: file, sync: true, mkdir: true }),
  );
}

/** Logs the pool's health transitions, failovers and fallbacks; returns the unsubscriber. */
export function logPoolEvents(pool: ServerPool, log: Logger): () => void {
  const unhealthy = (e: { serverId: string; source: string; reason: string }) => {
    log.warn(
      { server: e.serverId, source: e.source, reason: e.reason },
      `Health check: server ${e.serverId} is unhealthy (${e.source}: ${e.reason})`,
    );
    const left = pool
      .servers()
      .filter((s) => s.healthy)
      .map((s) => s.id);
    log.warn(
      { server: e.serverId, healthy: left },
      `Failover: traffic moves off ${e.serverId} to ${left.join(', ') || 'no healthy server (panic mode)'}`,
    );
  };
  const healthy = (e: { serverId: string; reason: string }) =>
    log.info(
      { server: e.serverId, reason: e.reason },
      `Health check: server ${e.serverId} is healthy again (${e.reason})`,
    );
  const retry = (e: {
    method: string;
    target?: string | undefined;
    from?: string | undefined;
    to: string;
  }) =>
    log.warn(
      { method: e.method, target: e.target, from: e.from, to: e.to },
      `Failover: ${e.method} ${e.target ?? ''} moved from ${e.from} to ${e.to}`,
    );
  const fallback = (e: {
    method: string;
    target?: string | undefined;
    from?: string | undefined;
    to: string;
  }) =>
    log.warn(
      { method: e.method, target: e.target, from: e.from, to: e.to },
      `Fallback: ${e.method} ${e.target ?? ''} sent to fallback server ${e.to}`,
    );
  const connected = (e: { serverId: string }) =>
    log.info({ server: e.serverId }, `Server ${e.serverId} connected`);
  const disconnected = (e: { serverId: string; reason: string }) =>
    log.warn(
      { server: e.serverId, reason: e.reason },
      `Server ${e.serverId} disconnected: ${e.reason}`,
    );
  const panic = (e: { method: string; servers: readonly string[] }) =>
    log.error(
      { method: e.method, servers: e.servers },
      `Load balancing: no healthy server for ${e.method}; trying all (${e.servers.join(', ')})`,
    );
  pool.on('server:unhealthy', unhealthy);
  pool.on('server:healthy', healthy);
  pool.on('request:retry', retry);
  pool.on('request:fallback', fallback);
  pool.on('server:connected', connected);
  pool.on('server:disconnected', disconnected);
  pool.on('pool:panic', panic);
  return () => {
    pool.off('server:unhealthy', unhealthy);
    pool.off('server:healthy', healthy);
    pool.off('request:retry', retry);
    pool.off('request:fallback', fallback);
    pool.off('server:connected', connected);
    pool.off('server:disconnected', disconnected);
    pool.off('pool:panic', panic);
  };
}
