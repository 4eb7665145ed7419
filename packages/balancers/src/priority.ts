import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates } from './shared.js';

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
export function priority(): Balancer {
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
