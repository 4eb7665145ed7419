import type { ServerView } from '@mcpool/core';
import { type RandomSource, randomIndex } from './shared.js';

/**
 * The power-of-two-choices draw `p2c()` and `p2cEwma()` share: two distinct
 * candidates drawn uniformly, and the one of lower `cost` wins. Ties go to
 * the first draw, itself uniform, so they stay unbiased. O(1); `cost` is
 * called twice and should be a function made once, not per pick.
 */
export function pickOfTwo<S extends ServerView>(
  candidates: readonly S[],
  source: RandomSource,
  cost: (server: S) => number,
  winner?: WinnerCost,
): S {
  const length = candidates.length;
  if (length === 1) {
    if (winner !== undefined) winner.cost = cost(candidates[0]!);
    return candidates[0]!;
  }
  const first = randomIndex(source, length);
  // Drawing from length - 1 and skipping `first` makes the pair distinct without retries.
  let second = randomIndex(source, length - 1);
  if (second >= first) second++;
  const a = candidates[first]!;
  const b = candidates[second]!;
  const costA = cost(a);
  const costB = cost(b);
  if (winner !== undefined) winner.cost = Math.min(costA, costB);
  return costB < costA ? b : a;
}

/** Where {@link pickOfTwo} leaves the winner's cost, for a caller that needs it; reused, not allocated per pick. */
export interface WinnerCost {
  cost: number;
}
