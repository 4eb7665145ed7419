import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates, weightOf } from './shared.js';

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
export function leastConnections(): Balancer {
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
