import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates, type RandomSource, randomIndex } from './shared.js';

/** Options of {@link p2c}. */
export interface P2cOptions {
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
}

/**
 * Power of two choices: draws two distinct candidates at random and takes the
 * one with fewer requests in flight. Nearly as good as least connections, but
 * O(1), and without herding every concurrent pick onto the one idlest server
 * while in-flight counts lag. Ignores weights.
 */
export function p2c(options: P2cOptions = {}): Balancer {
  const source = options.random ?? Math.random;
  return {
    name: 'p2c',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      if (length === 1) return candidates[0]!;
      const first = randomIndex(source, length);
      // Drawing from length - 1 and skipping `first` makes the pair distinct without retries.
      let second = randomIndex(source, length - 1);
      if (second >= first) second++;
      const a = candidates[first]!;
      const b = candidates[second]!;
      // Ties go to `a`, itself a uniform draw, so they stay unbiased.
      return b.inFlight < a.inFlight ? b : a;
    },
  };
}
