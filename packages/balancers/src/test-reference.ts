// The implementations before the incremental structures: exact O(n) scans, kept as the
// references the property tests hold the new structures to.
import type { Balancer, RequestInfo, ServerView } from '@mcpool/core';
import { fnv1a, mix32 } from './hash.js';
import { noCandidates, weightOf } from './shared.js';

interface Slot {
  readonly id: string;
  /** Smooth round robin credit. */
  current: number;
  /** Weight when the schedule was last reset. */
  weight: number;
  /** Pick number in which this server was last a candidate. */
  seen: number;
  /** Schedule generation the server belongs to, -1 for none. */
  generation: number;
}

/**
 * Smooth weighted round robin, as in nginx: weights {5, 1, 1} give
 * `a a b a c a a`, repeating. Every whole cycle of `sum(weights)` picks gives
 * each server exactly its weight, with the picks of heavy servers spread out
 * rather than bunched.
 *
 * - Weight 0 drains a server: it is never picked while a candidate with a
 *   positive weight exists. When every candidate weighs 0 they are taken in
 *   equal turns instead of failing: the candidates were already judged fit to
 *   serve, and refusing all traffic is worse than ignoring a drain nobody can honour.
 * - NaN, negative and infinite weights count as 0.
 * - When the candidate list or a weight changes, the first pick continues the
 *   old schedule (so a one-off list, such as a retry that excludes a server,
 *   disturbs nothing), and if the next pick sees the same list the schedule
 *   restarts from zero, so cycles are exact again from that pick on.
 */
export function referenceWeighted(): Balancer {
  const slots = new Map<string, Slot>();
  // Slots by list position: candidate lists rarely change, and comparing an id
  // with the one cached there is cheaper than a map lookup.
  const byPosition: Slot[] = [];
  let pickNumber = 0;
  let lastLength = 0;
  let generation = 0;
  let generationLength = 0;

  /** The slot of the server with this id, at this position of the list. */
  function slotAt(position: number, id: string): Slot {
    const cached = byPosition[position];
    if (cached !== undefined && cached.id === id) return cached;
    let slot = slots.get(id);
    if (slot === undefined) {
      slot = { id, current: 0, weight: 0, seen: -1, generation: -1 };
      slots.set(id, slot);
    }
    byPosition[position] = slot;
    return slot;
  }

  /** Restarts the schedule for exactly these candidates. */
  function reset(candidates: readonly ServerView[]): void {
    generation++;
    generationLength = candidates.length;
    for (let i = 0; i < candidates.length; i++) {
      const server = candidates[i]!;
      const slot = slotAt(i, server.id);
      slot.current = 0;
      slot.weight = weightOf(server);
      slot.generation = generation;
    }
    // Only now, when state is rebuilt anyway, are departed servers worth sweeping.
    if (slots.size > generationLength) {
      for (const [id, slot] of slots) if (slot.generation !== generation) slots.delete(id);
      byPosition.length = 0;
    }
  }

  /** Credits every candidate and returns the index with most credit (rare paths only). */
  function credit(candidates: readonly ServerView[], equal: boolean): number {
    let best = 0;
    let bestCurrent = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < candidates.length; i++) {
      const server = candidates[i]!;
      const weight = equal ? 1 : weightOf(server);
      if (weight === 0) continue;
      const slot = slotAt(i, server.id);
      const current = slot.current + weight;
      slot.current = current;
      if (current > bestCurrent) {
        bestCurrent = current;
        best = i;
      }
    }
    return best;
  }

  return {
    name: 'weighted',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      pickNumber++;
      let sameAsLast = length === lastLength;
      let sameAsSchedule = length === generationLength;
      let total = 0;
      let best = 0;
      let bestSlot: Slot | undefined;
      let bestCurrent = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < length; i++) {
        const server = candidates[i]!;
        const weight = weightOf(server);
        const slot = slotAt(i, server.id);
        if (slot.seen !== pickNumber - 1) sameAsLast = false;
        if (slot.generation !== generation || slot.weight !== weight) sameAsSchedule = false;
        slot.seen = pickNumber;
        if (weight === 0) continue;
        const current = slot.current + weight;
        slot.current = current;
        total += weight;
        if (current > bestCurrent) {
          bestCurrent = current;
          best = i;
          bestSlot = slot;
        }
      }
      lastLength = length;

      const restart = !sameAsSchedule && (sameAsLast || generationLength === 0);
      if (restart || total === 0) {
        if (restart) reset(candidates);
        const equal = total === 0;
        if (equal) total = length;
        best = credit(candidates, equal);
        bestSlot = slotAt(best, candidates[best]!.id);
      }
      bestSlot!.current -= total;
      return candidates[best]!;
    },
    onRemove(serverId: string): void {
      if (slots.delete(serverId)) byPosition.length = 0;
    },
  };
}

/**
 * Picks the candidate with the fewest requests in flight right now relative
 * to its weight (`inFlight / weight`), so a server of weight 2 carries twice
 * the concurrent load of one of weight 1.
 *
 * - Ties go to the first tied candidate after the previous winner's position,
 *   so idle servers are taken in turn instead of always the first one.
 * - Weight 0 drains a server: it is only picked when every candidate weighs 0,
 *   and then by plain in-flight count.
 *
 * It reads `ServerView.inFlight` at the moment of the pick, so it is only as
 * good as that figure is fresh: the pool must count a request as in flight
 * before the next pick, or a burst of picks lands on the same idle server.
 */
export function referenceLeastConnections(): Balancer {
  let cursor = 0;
  return {
    name: 'least_connections',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      let index = cursor < length ? cursor : 0;
      let best = -1;
      let bestLoad = Number.POSITIVE_INFINITY;
      // Fallback for when every candidate is drained, found in the same pass.
      let idlest = index;
      let idlestInFlight = Number.POSITIVE_INFINITY;
      for (let n = 0; n < length; n++) {
        const server = candidates[index]!;
        const weight = weightOf(server);
        if (weight > 0) {
          const load = server.inFlight / weight;
          if (load < bestLoad) {
            bestLoad = load;
            best = index;
          }
        } else if (best === -1 && server.inFlight < idlestInFlight) {
          idlestInFlight = server.inFlight;
          idlest = index;
        }
        index++;
        if (index === length) index = 0;
      }
      const chosen = best === -1 ? idlest : best;
      cursor = chosen + 1;
      return candidates[chosen]!;
    },
  };
}

/** NaN would compare unequal to everything and leave no top tier. */
function priorityOf(server: ServerView): number {
  const priority = server.priority;
  return Number.isNaN(priority) ? 0 : priority;
}

/**
 * Sends every request to the highest-priority tier that has candidates, taking
 * its servers in turn. Lower tiers get traffic only while no server of a higher
 * tier is a candidate (down, ejected or draining): primary and standby.
 * Ignores weights.
 */
export function referencePriority(): Balancer {
  let cursor = 0;
  return {
    name: 'priority',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      let top = priorityOf(candidates[0]!);
      let first = 0;
      let count = 1;
      for (let i = 1; i < length; i++) {
        const p = priorityOf(candidates[i]!);
        if (p > top) {
          top = p;
          first = i;
          count = 1;
        } else if (p === top) {
          count++;
        }
      }
      const turn = cursor % count;
      cursor = turn + 1;
      if (count === length) return candidates[turn]!;
      // The turn-th member of the tier; the scan starts at its first member.
      let seen = 0;
      for (let i = first; i < length; i++) {
        const server = candidates[i]!;
        if (priorityOf(server) === top) {
          if (seen === turn) return server;
          seen++;
        }
      }
      return candidates[first]!;
    },
  };
}

/** Options of {@link consistentHash}. */
interface ConsistentHashOptions {
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
export function referenceConsistentHash(options: ConsistentHashOptions = {}): Balancer {
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
