import type { Balancer, ServerView } from '@mcpool/core';
import { createRotation } from './rotation.js';
import { noCandidates } from './shared.js';

/**
 * Takes the candidates in turn, exactly evenly: any `n` consecutive picks over
 * an unchanged list of `n` candidates hit each once. Ignores weights. O(1).
 *
 * The only state is one cursor taken modulo the current list length, so a
 * server joining, leaving or being ejected shifts the rotation by at most one
 * place: no server gets a burst, and a returning server has no stale credit.
 */
export function roundRobin(): Balancer {
  const rotation = createRotation();
  return {
    name: 'round_robin',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      return candidates[rotation.next(length)]!;
    },
  };
}
