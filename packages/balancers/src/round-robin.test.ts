import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundRobin } from './round-robin.js';
import { plain, servers, tally } from './test-servers.js';

const pool = servers(12);

/** A membership change: which of the pool's servers are candidates, and how many whole cycles to run. */
const segment = fc.record({
  members: fc.subarray(pool, { minLength: 1 }),
  cycles: fc.integer({ min: 1, max: 4 }),
});

describe('roundRobin', () => {
  it('takes the candidates in order', () => {
    const balancer = roundRobin();
    const list = servers(3);
    const ids = Array.from({ length: 7 }, () => balancer.pick(list, plain).id);
    expect(ids).toEqual(['s0', 's1', 's2', 's0', 's1', 's2', 's0']);
  });

  it('is exactly even over whole cycles, across membership changes', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 8 }), (segments) => {
        const balancer = roundRobin();
        for (const { members, cycles } of segments) {
          const picks = Array.from(
            { length: members.length * cycles },
            () => balancer.pick(members, plain).id,
          );
          const counts = tally(picks);
          for (const s of members) expect(counts.get(s.id)).toBe(cycles);
          expect(counts.size).toBe(members.length);
        }
      }),
    );
  });

  it('never sends a burst to one server when membership changes', () => {
    fc.assert(
      fc.property(fc.array(segment, { minLength: 2, maxLength: 8 }), (segments) => {
        const balancer = roundRobin();
        const picks: string[] = [];
        for (const { members, cycles } of segments) {
          for (let i = 0; i < members.length * cycles; i++)
            picks.push(balancer.pick(members, plain).id);
        }
        // Twice in a row can happen once, across a change (last of one list, first of the next);
        // a run of three cannot, unless a list has a single server.
        for (let i = 2; i < picks.length; i++) {
          if (picks[i] === picks[i - 1] && picks[i] === picks[i - 2]) {
            const singles = segments.some((s) => s.members.length === 1);
            expect(singles).toBe(true);
          }
        }
      }),
    );
  });

  it('does not favour a server coming back from ejection', () => {
    const balancer = roundRobin();
    const all = servers(4);
    for (let i = 0; i < 10; i++) balancer.pick(all, plain);
    const without = all.filter((s) => s.id !== 's2');
    for (let i = 0; i < 30; i++) balancer.pick(without, plain);
    const after = Array.from({ length: 8 }, () => balancer.pick(all, plain).id);
    expect(tally(after).get('s2')).toBe(2);
  });
});
