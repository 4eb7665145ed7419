/** Where a vote stands. */
export type TallyVerdict =
  /** `key` reached the quorum first; nothing still outstanding can change that. */
  | { readonly kind: 'winner'; readonly key: string; readonly votes: number }
  /** No answer has the quorum yet, but one still could. */
  | { readonly kind: 'undecided' }
  /** No answer can reach the quorum any more, whatever the outstanding servers say. */
  | { readonly kind: 'no-quorum' };

/**
 * Counts ballots. `votes` holds one key per server that answered, in the order
 * the answers arrived; `outstanding` is how many more answers may still come.
 *
 * The first key to reach `quorum` wins. With a quorum above half the servers
 * only one key ever can; with a lower quorum (say 2 of 5) arrival order breaks
 * the tie, which is also what the strategy sees when it stops at that moment.
 * Because a winner stays a winner and a lost vote stays lost, stopping at the
 * first decisive verdict always gives the answer that waiting for every server
 * would have given.
 */
export function tally(votes: readonly string[], quorum: number, outstanding: number): TallyVerdict {
  if (!Number.isInteger(quorum) || quorum < 1)
    throw new RangeError(`tally: quorum must be a whole number of at least 1 (got ${quorum})`);
  if (!Number.isInteger(outstanding) || outstanding < 0)
    throw new RangeError(
      `tally: outstanding must be a whole number, 0 or more (got ${outstanding})`,
    );
  const counts = new Map<string, number>();
  let best = 0;
  for (const key of votes) {
    const count = (counts.get(key) ?? 0) + 1;
    if (count >= quorum) return { kind: 'winner', key, votes: count };
    counts.set(key, count);
    if (count > best) best = count;
  }
  return best + outstanding >= quorum ? { kind: 'undecided' } : { kind: 'no-quorum' };
}

/** The default quorum for `n` servers asked: a strict majority, ⌊n/2⌋ + 1. */
export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

/** @deprecated Renamed `TallyVerdict`; this name goes in the next minor version. */
export type Verdict = TallyVerdict;
