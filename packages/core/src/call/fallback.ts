import type { ServerPool } from '../pool/server-pool.js';
import type { ServerView } from '../spec/server.js';

/**
 * The servers a call may fall back to: those of `order` (every server of the
 * pool in pool order when not given) that offer the request and are neither
 * closed nor draining.
 */
export function fallbackServers(
  pool: ServerPool,
  order: readonly string[] | undefined,
  offering: readonly string[] | undefined,
): ServerView[] {
  const ids = order ?? pool.servers().map((s) => s.id);
  const offers = offering ? new Set(offering) : undefined;
  const out: ServerView[] = [];
  for (const id of ids) {
    const server = pool.server(id);
    if (
      server &&
      (!offers || offers.has(id)) &&
      server.state !== 'closed' &&
      server.state !== 'draining'
    ) {
      out.push(server);
    }
  }
  // Servers out of selection are tried only when none in the order is in:
  // a dead server must not keep receiving fallback traffic.
  const healthy = out.filter((s) => s.healthy);
  return healthy.length > 0 ? healthy : out;
}
