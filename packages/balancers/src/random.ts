import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates, type RandomSource, randomIndex } from './shared.js';

/** Options of {@link random}. */
export interface RandomOptions {
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
}

/**
 * Picks a candidate uniformly at random. Stateless, so it needs no coordination
 * between pools; evenness is only statistical. Ignores weights.
 */
export function random(options: RandomOptions = {}): Balancer {
  const source = options.random ?? Math.random;
  return {
    name: 'random',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      return candidates[randomIndex(source, length)]!;
    },
  };
}
