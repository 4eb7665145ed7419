import type { Balancer, ServerView } from '@mcpool/core';
import { noCandidates, type RandomSource } from './shared.js';
import { pickOfTwo } from './two-choices.js';

/** Options of {@link p2c}. */
export interface P2cOptions {
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
}

const inFlightOf = (server: ServerView): number => server.inFlight;

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
      if (candidates.length === 0) noCandidates();
      return pickOfTwo(candidates, source, inFlightOf);
    },
  };
}
