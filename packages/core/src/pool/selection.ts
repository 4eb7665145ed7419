import type { PooledServer } from '../server/pooled-server.js';
import type { Candidates } from './options.js';

/*
 * The pick rule of a pool: which servers may take a request. A server is in
 * selection when it is connected (or connectable) and no source excludes it.
 * When no offering server is in selection the pool panics: every usable
 * offering server is a candidate rather than none.
 */

/** The servers among `servers` (pool order) that may take a request offered by `offering`. */
export function selectCandidates(
  servers: ReadonlyMap<string, PooledServer>,
  offering: readonly string[] | undefined,
): Candidates {
  // Pool order (the order servers were added), whatever order the catalog learned them in.
  const offers = offering && offering.length > 8 ? new Set(offering) : undefined;
  const offered = (id: string) =>
    offering === undefined || (offers ? offers.has(id) : offering.includes(id));
  const healthy: PooledServer[] = [];
  for (const s of servers.values()) {
    if (s.healthy && offered(s.id)) healthy.push(s);
  }
  if (healthy.length > 0) return { servers: healthy, panic: false };
  const usable: PooledServer[] = [];
  for (const s of servers.values()) {
    if (s.usable && offered(s.id)) usable.push(s);
  }
  return { servers: usable, panic: true };
}

/** Which servers' catalogs are listed: those in selection, or every usable one when none is. */
export function selectionFilter(
  servers: ReadonlyMap<string, PooledServer>,
): (serverId: string) => boolean {
  const anyHealthy = [...servers.values()].some((s) => s.healthy);
  return anyHealthy
    ? (id) => servers.get(id)?.healthy ?? false
    : (id) => servers.get(id)?.usable ?? false;
}
