import type { ServerView } from '@mcpool/core';
import type { RandomSource } from './shared.js';

/**
 * An index in [0, length) from a random source. Clamped because an injected
 * source may return 1, a negative number or NaN, and a strategy must never
 * return something that is not a candidate. Here, beside the draw that uses
 * it twice per pick, so that a pick does not leave this file to draw.
 */
export function randomIndex(random: RandomSource, length: number): number {
  const index = Math.floor(random() * length);
  if (index >= 0 && index < length) return index;
  return index >= length ? length - 1 : 0;
}

/** Two distinct indices, written by {@link drawTwo}; reused, not allocated per pick. */
export interface Pair {
  first: number;
  second: number;
}

/**
 * The power-of-two-choices draw `p2c()` and `p2cEwma()` share: two distinct
 * indices in [0, length), drawn uniformly, for a `length` of 2 or more.
 * Ties between the two should go to `first`, itself uniform, so they stay
 * unbiased.
 */
export function drawTwo(length: number, source: RandomSource, pair: Pair): Pair {
  const first = randomIndex(source, length);
  // Drawing from length - 1 and skipping `first` makes the pair distinct without retries.
  let second = randomIndex(source, length - 1);
  if (second >= first) second++;
  pair.first = first;
  pair.second = second;
  return pair;
}

const drawn: Pair = { first: 0, second: 0 };

/**
 * Two distinct candidates drawn with {@link drawTwo}, and the one of lower
 * `cost` wins (ties to the first draw). O(1); `cost` is called twice and
 * should be a function made once, not per pick.
 */
export function pickOfTwo<S extends ServerView>(
  candidates: readonly S[],
  source: RandomSource,
  cost: (server: S) => number,
): S {
  const length = candidates.length;
  if (length === 1) return candidates[0]!;
  const { first, second } = drawTwo(length, source, drawn);
  const a = candidates[first]!;
  const b = candidates[second]!;
  return cost(b) < cost(a) ? b : a;
}
