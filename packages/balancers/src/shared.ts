import type { ServerView } from '@mcpool/core';
import { NoServerAvailableError } from '@mcpool/core';

/** A source of uniform numbers in [0, 1), like `Math.random`. */
export type RandomSource = () => number;

/** A clock in milliseconds; only differences between readings matter. */
export type Clock = () => number;

/** Throws the error every strategy throws on an empty candidate list. */
export function noCandidates(): never {
  throw new NoServerAvailableError();
}

/**
 * Weight as strategies use it: NaN, negative and infinite weights would break
 * the arithmetic (an infinite weight wins every comparison forever), so they
 * count as 0, like a drained server.
 */
export function weightOf(server: ServerView): number {
  const weight = server.weight;
  return weight > 0 && weight < Number.POSITIVE_INFINITY ? weight : 0;
}

export { randomIndex } from './two-choices.js';
