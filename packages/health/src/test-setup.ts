// Test-only (tsconfig.build.json excludes src/test-*.ts): the servers, pool and records the
// health checker's tests share.
import type { PoolEvents, ServerPool } from '@mcpool/core';
import { startPool, type TestServerRef, useCleanup } from '@mcpool/core/testing';
import {
  type HttpTestServer,
  type InProcessTestServer,
  startHttpServer,
  startInProcessServers,
} from '@mcpool/testkit';
import type { HealthEvents } from './events.js';
import { HealthChecker } from './health-checker.js';
import type { HealthCheckerOptions } from './options.js';
import type { ServerHealthStatus } from './status.js';

/** One cleanup list per test file: what a test opened is closed after it, last opened first. */
export const cleanup = useCleanup();

/** In-process test servers `s1`..`sN`, closed after the test. */
export function inProcess(count: number): InProcessTestServer[] {
  return startInProcessServers(count, cleanup);
}

/** A Streamable HTTP test server, closed after the test. */
export async function http(id: string): Promise<HttpTestServer> {
  return cleanup(await startHttpServer({ id }));
}

/** A started pool of `servers` with a health checker attached, closed after the test. */
export async function poolWith(
  servers: readonly TestServerRef[],
  options: HealthCheckerOptions,
): Promise<{ pool: ServerPool; checker: HealthChecker }> {
  const checker = new HealthChecker(options);
  const pool = await startPool(servers, { cleanup, plugins: [checker], connectionTimeout: 2_000 });
  return { pool, checker };
}

/** Records pool and checker transitions, in order, as `event id source: reason`. */
export function transitions(pool: ServerPool, checker?: HealthChecker): string[] {
  const seen: string[] = [];
  const onUnhealthy = (e: PoolEvents['server:unhealthy'][0]) =>
    seen.push(`pool:unhealthy ${e.serverId} ${e.source}: ${e.reason}`);
  const onHealthy = (e: PoolEvents['server:healthy'][0]) =>
    seen.push(`pool:healthy ${e.serverId}: ${e.reason}`);
  pool.on('server:unhealthy', onUnhealthy);
  pool.on('server:healthy', onHealthy);
  if (checker) {
    checker.on('unhealthy', (e: HealthEvents['unhealthy'][0]) =>
      seen.push(`checker:unhealthy ${e.serverId} ${e.source}: ${e.reason}`),
    );
    checker.on('healthy', (e: HealthEvents['healthy'][0]) =>
      seen.push(`checker:healthy ${e.serverId} ${e.source}: ${e.reason}`),
    );
  }
  return seen;
}

export function status(checker: HealthChecker, id: string): ServerHealthStatus {
  const s = checker.getStatus(id);
  if (!s) throw new Error(`no status for ${id}`);
  return s;
}
