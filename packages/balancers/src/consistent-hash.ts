import type { Balancer, RequestInfo, ServerView } from '@mcpool/core';
import { fnv1a, mix32 } from './hash.js';
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
 * Rendezvous (highest random weight) hashing: every candidate scores
 * `-weight / ln(hash(key, id))` and the highest score wins.
 *
 * - A key stays on its server whatever the order of the candidate list, and
 *   in every process, since the hash is fixed (FNV-1a and Murmur3's finalizer).
 * - Adding a server moves only the keys it now wins, about 1/n of them, all to
 *   it; removing one moves only its own keys. No ring, no virtual nodes.
 * - Weights set the share of keys; weight 0 takes no keys while any candidate
 *   has a positive weight, and when all weigh 0 they share keys equally.
 * - Requests without a key are spread in turn, like `roundRobin()`.
 *
 * O(n) per pick: the key is hashed once, id hashes are cached, and the
 * logarithm is only taken for the few candidates that could win.
 */
export function consistentHash(options: ConsistentHashOptions = {}): Balancer {
  const keyOf = options.key ?? requestKey;
  let cursor = 0;
  // Id hashes by list position: candidate lists rarely change, and comparing
  // an id with the one cached there is cheaper than hashing it again.
  const cachedIds: string[] = [];
  const cachedHashes: number[] = [];
  return {
    name: 'consistent_hash',
    pick<S extends ServerView>(candidates: readonly S[], request: RequestInfo): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      const key = keyOf(request);
      if (key === undefined || key === '') {
        const index = cursor % length;
        cursor = index + 1;
        return candidates[index]!;
      }
      if (length === 1) return candidates[0]!;
      const keyHash = mix32(fnv1a(key));
      let best = -1;
      let bestScore = Number.NEGATIVE_INFINITY;
      let bestWeight = 0;
      let bestHash = 0;
      let fallback = 0;
      let fallbackHash = -1;
      for (let i = 0; i < length; i++) {
        const server = candidates[i]!;
        const id = server.id;
        let idHash: number;
        if (cachedIds[i] === id) {
          idHash = cachedHashes[i]!;
        } else {
          idHash = mix32(fnv1a(id));
          cachedIds[i] = id;
          cachedHashes[i] = idHash;
        }
        const hash = mix32(keyHash ^ idHash);
        const weight = weightOf(server);
        if (weight > 0) {
          // No heavier and no higher hash cannot score higher: skips the logarithm
          // for all but a handful of candidates.
          if (weight <= bestWeight && hash <= bestHash) continue;
          // (hash + 0.5) / 2^32 lies strictly inside (0, 1): the log is finite and negative.
          const score = -weight / Math.log((hash + 0.5) / 4294967296);
          if (score > bestScore) {
            bestScore = score;
            bestWeight = weight;
            bestHash = hash;
            best = i;
          }
        } else if (best === -1 && hash > fallbackHash) {
          // Plain highest hash, for when every candidate weighs 0.
          fallbackHash = hash;
          fallback = i;
        }
      }
      return candidates[best === -1 ? fallback : best]!;
    },
  };
}
