import type { Balancer, RequestInfo, ServerView } from '@mcpool/core';
import { createSetCache, type SetCache } from './candidate-sets.js';
import { fnv1a, mix32 } from './hash.js';
import { buildHashRing, type HashRing, viewHashRing } from './hash-ring.js';
import { createRotation } from './rotation.js';
import { noCandidates, weightOf } from './shared.js';

/** Options of {@link consistentHash}. */
export interface ConsistentHashOptions {
  /**
   * Affinity key of a request; requests with equal keys go to the same server
   * while it stays a candidate. Return `undefined` (or `''`) for no affinity.
   * @default (request) => request.key
   */
  key?: ((request: RequestInfo) => string | undefined) | undefined;
}

function requestKey(request: RequestInfo): string | undefined {
  return request.key;
}

/**
 * Consistent hashing on a multi-probe ring (see `hash-ring.ts`), built once
 * per candidate set; O(1) expected per pick (16 probes of a bucketed ring).
 *
 * - A key stays on its server whatever the order of the candidate list, and
 *   in every process, since the hash is fixed (FNV-1a and Murmur3's finalizer).
 * - Adding a server moves only the keys it now wins, about 1/n of them, all to
 *   it; removing one moves only its own keys.
 * - Weights set the share of keys (to 1/64 of a unit); weight 0 takes no keys
 *   while any candidate has a positive weight, and when all weigh 0 they
 *   share keys equally.
 * - Requests without a key are spread in turn, like `roundRobin()`.
 *
 * A ring is built the first time a candidate set is seen: O(p) for p points,
 * 64 per unit of weight (a few hundred ms for 10,000 servers). A set made of
 * at least half of a known ring's members, with the same weights (a retry
 * without one server, an ejection), is a view on that ring instead: one map
 * lookup per member. The four most recent sets are kept.
 */
export function consistentHash(options: ConsistentHashOptions = {}): Balancer {
  const keyOf = options.key ?? requestKey;
  const rotation = createRotation();
  const rings: SetCache<HashRing> = createSetCache<HashRing>({
    // A set among a known ring's members (a retry without one server, an
    // ejection) is a view on that ring: no build, and the keys go where a ring
    // of its own would send them.
    build(members, fields) {
      for (const known of rings.entries) {
        if (known.points === undefined) continue;
        const view = viewHashRing(known.points, members, fields);
        if (view !== undefined) return view;
      }
      return buildHashRing(members, fields);
    },
    field: weightOf,
    capacity: 4,
  });
  return {
    name: 'consistent_hash',
    pick<S extends ServerView>(candidates: readonly S[], request: RequestInfo): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      const key = keyOf(request);
      if (key === undefined || key === '') return candidates[rotation.next(length)]!;
      if (length === 1) return candidates[0]!;
      const ring = rings.get(candidates);
      return ring.members[ring.lookup(mix32(fnv1a(key)))] as S;
    },
    onRemove(serverId: string): void {
      rings.forget(serverId);
    },
  };
}
