import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { majorityOf, type TallyVerdict, tally } from './tally.js';

/** A full vote: N servers, each answering one of a few values or failing (null). */
const election = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    ballots: fc.array(fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: null }), {
      minLength: n,
      maxLength: n,
    }),
    quorum: fc.integer({ min: 1, max: n }),
  }),
);

/** Verdicts after each arrival, as the strategy computes them while waiting. */
function verdicts(ballots: readonly (string | null)[], quorum: number): TallyVerdict[] {
  const votes: string[] = [];
  const out: TallyVerdict[] = [];
  ballots.forEach((ballot, i) => {
    if (ballot !== null) votes.push(ballot);
    out.push(tally(votes, quorum, ballots.length - i - 1));
  });
  return out;
}

function counts(votes: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of votes) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

describe('tally', () => {
  it('defaults the quorum to a strict majority', () => {
    expect([1, 2, 3, 4, 5, 6].map(majorityOf)).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('names as winner the first key to reach the quorum, with that many votes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(5),
        (votes, quorum, outstanding) => {
          const verdict = tally(votes, quorum, outstanding);
          const seen = new Map<string, number>();
          let first: string | undefined;
          for (const v of votes) {
            seen.set(v, (seen.get(v) ?? 0) + 1);
            if ((seen.get(v) ?? 0) >= quorum) {
              first = v;
              break;
            }
          }
          if (first === undefined) expect(verdict.kind).not.toBe('winner');
          else expect(verdict).toEqual({ kind: 'winner', key: first, votes: quorum });
        },
      ),
    );
  });

  it('says no-quorum exactly when no key can reach the quorum with every outstanding vote', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 8 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(6),
        (votes, quorum, outstanding) => {
          const verdict = tally(votes, quorum, outstanding);
          if (verdict.kind === 'winner') return;
          const best = Math.max(0, ...counts(votes).values());
          expect(verdict.kind).toBe(best + outstanding >= quorum ? 'undecided' : 'no-quorum');
        },
      ),
    );
  });

  it('with a strict-majority quorum, never lets two answers both reach it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 11 }),
        (votes) => {
          const quorum = majorityOf(votes.length);
          const reached = [...counts(votes).values()].filter((c) => c >= quorum);
          expect(reached.length).toBeLessThanOrEqual(1);
          const verdict = tally(votes, quorum, 0);
          expect(verdict.kind).toBe(reached.length === 1 ? 'winner' : 'no-quorum');
        },
      ),
    );
  });

  it('breaks a tie that a low quorum allows by arrival order', () => {
    // 2 of 5: a and b both get 2 votes, a gets there first.
    expect(tally(['a', 'b', 'a', 'b'], 2, 1)).toEqual({ kind: 'winner', key: 'a', votes: 2 });
    expect(tally(['b', 'a', 'a', 'b'], 2, 1)).toEqual({ kind: 'winner', key: 'a', votes: 2 });
    // An even split of 4 under a strict majority (3) has no winner.
    expect(tally(['a', 'b', 'a', 'b'], 3, 0)).toEqual({ kind: 'no-quorum' });
  });

  it('stops early only when waiting for every server would give the same verdict', () => {
    fc.assert(
      fc.property(election, ({ ballots, quorum }) => {
        const steps = verdicts(ballots, quorum);
        const final = steps.at(-1);
        // With nothing outstanding the verdict is always decided.
        expect(final?.kind).not.toBe('undecided');
        const firstDecided = steps.find((v) => v.kind !== 'undecided');
        expect(firstDecided).toEqual(final);
        // Once decided, later arrivals never change it.
        const at = steps.indexOf(firstDecided as TallyVerdict);
        for (const later of steps.slice(at)) expect(later).toEqual(final);
      }),
    );
  });

  it('stops as early as possible: while undecided, the outstanding votes can still change the outcome', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 8 }),
        fc.integer({ min: 1, max: 9 }),
        fc.nat(6),
        (votes, quorum, outstanding) => {
          if (tally(votes, quorum, outstanding).kind !== 'undecided') return;
          const leader = [...counts(votes)].sort((x, y) => y[1] - x[1])[0]?.[0] ?? 'fresh-leader';
          // Every outstanding server backs the leader: the leader wins.
          const backed = tally([...votes, ...Array(outstanding).fill(leader)], quorum, 0);
          expect(backed).toMatchObject({ kind: 'winner', key: leader });
          // Every outstanding server says something new: the leader does not win.
          const scattered = Array.from({ length: outstanding }, (_, i) => `fresh-${i}`);
          const other = tally([...votes, ...scattered], quorum, 0);
          expect(other.kind === 'winner' && other.key === leader).toBe(false);
        },
      ),
    );
  });

  it('lets a failure end a vote only in no-quorum, never in a win', () => {
    fc.assert(
      fc.property(election, ({ ballots, quorum }) => {
        const steps = verdicts(ballots, quorum);
        ballots.forEach((ballot, i) => {
          const before = i === 0 ? tally([], quorum, ballots.length) : steps[i - 1];
          if (ballot !== null || before?.kind !== 'undecided') return;
          expect(steps[i]?.kind).not.toBe('winner');
        });
      }),
    );
  });

  it('rejects a quorum below 1 and negative outstanding counts', () => {
    expect(() => tally([], 0, 1)).toThrow(RangeError);
    expect(() => tally([], 1.5, 1)).toThrow(RangeError);
    expect(() => tally([], 1, -1)).toThrow(RangeError);
  });
});
