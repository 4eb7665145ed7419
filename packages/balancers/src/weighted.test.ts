import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FakeServer, plain, server, servers, tally } from './test-servers.js';
import { weighted } from './weighted.js';

const pool = servers(8);

function pickIds(balancer: ReturnType<typeof weighted>, list: FakeServer[], count: number) {
  return Array.from({ length: count }, () => balancer.pick(list, plain).id);
}

/** Expected picks per cycle: the weights, or 1 each when every weight is 0. */
function shares(list: readonly FakeServer[]): { total: number; of: (s: FakeServer) => number } {
  const total = list.reduce((sum, s) => sum + s.weight, 0);
  return total === 0
    ? { total: list.length, of: () => 1 }
    : { total, of: (s: FakeServer) => s.weight };
}

describe('weighted', () => {
  it('gives a a b a c a a for weights 5, 1, 1, cycle after cycle', () => {
    const balancer = weighted();
    const list = [
      server('a', { weight: 5 }),
      server('b', { weight: 1 }),
      server('c', { weight: 1 }),
    ];
    expect(pickIds(balancer, list, 21).join(' ')).toBe('a a b a c a a a a b a c a a a a b a c a a');
  });

  it('gives exact shares in every whole cycle, for any weights and membership changes', () => {
    const segment = fc.record({
      members: fc.subarray(pool, { minLength: 1 }),
      weights: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 8, maxLength: 8 }),
      cycles: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 6 }), (segments) => {
        const balancer = weighted();
        segments.forEach(({ members, weights, cycles }, index) => {
          const list = members.map((s, i) => Object.assign(s, { weight: weights[i] ?? 1 }));
          const { total, of } = shares(list);
          // After a change, one pick finishes the old schedule; exact cycles start with the next.
          if (index > 0) {
            const picked = balancer.pick(list, plain);
            expect(of(picked)).toBeGreaterThan(0);
          }
          for (let c = 0; c < cycles; c++) {
            const counts = tally(pickIds(balancer, list, total));
            for (const s of list) expect(counts.get(s.id) ?? 0).toBe(of(s));
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('is exact from the first pick after a weight change', () => {
    const balancer = weighted();
    const list = servers(3);
    pickIds(balancer, list, 5);
    list[0]!.weight = 4;
    const counts = tally(pickIds(balancer, list, 6));
    expect([counts.get('s0'), counts.get('s1'), counts.get('s2')]).toEqual([4, 1, 1]);
  });

  it('spreads the picks of a heavy server instead of bunching them', () => {
    const balancer = weighted();
    const list = [server('a', { weight: 3 }), server('b', { weight: 3 })];
    expect(pickIds(balancer, list, 6).join('')).toMatch(/^(ab|ba){3}$/);
  });

  it('never picks a drained server while another has weight, even right after the drain', () => {
    const balancer = weighted();
    const list = servers(3);
    pickIds(balancer, list, 4);
    list[1]!.weight = 0;
    const ids = pickIds(balancer, list, 50);
    expect(ids).not.toContain('s1');
    expect(tally(ids).get('s0')).toBe(25);
  });

  it('takes servers in equal turns when every weight is 0', () => {
    const balancer = weighted();
    const list = servers(3, { weight: 0 });
    expect(tally(pickIds(balancer, list, 9))).toEqual(
      new Map([
        ['s0', 3],
        ['s1', 3],
        ['s2', 3],
      ]),
    );
  });

  it('treats NaN, negative and infinite weights as 0', () => {
    const balancer = weighted();
    const list = [
      server('nan', { weight: Number.NaN }),
      server('neg', { weight: -3 }),
      server('inf', { weight: Number.POSITIVE_INFINITY }),
      server('ok', { weight: 1 }),
    ];
    expect(new Set(pickIds(balancer, list, 10))).toEqual(new Set(['ok']));
  });

  it('keeps long-run shares when one-off lists (retries) interleave with the full list', () => {
    const balancer = weighted();
    const list = [
      server('a', { weight: 3 }),
      server('b', { weight: 2 }),
      server('c', { weight: 1 }),
    ];
    const ids: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const picked = balancer.pick(list, plain);
      ids.push(picked.id);
      // Every third request fails and is retried among the other servers.
      if (i % 3 === 0)
        ids.push(
          balancer.pick(
            list.filter((s) => s !== picked),
            plain,
          ).id,
        );
    }
    const counts = tally(ids);
    expect(Math.abs(counts.get('a')! / ids.length - 3 / 6)).toBeLessThan(0.03);
    expect(Math.abs(counts.get('b')! / ids.length - 2 / 6)).toBeLessThan(0.03);
    expect(Math.abs(counts.get('c')! / ids.length - 1 / 6)).toBeLessThan(0.03);
  });

  it('gives a returning server no stale credit after onRemove', () => {
    const balancer = weighted();
    const list = [
      server('a', { weight: 5 }),
      server('b', { weight: 1 }),
      server('c', { weight: 1 }),
    ];
    pickIds(balancer, list, 3);
    balancer.onRemove!('a');
    const rest = list.slice(1);
    pickIds(balancer, rest, 4);
    // Back from removal: the schedule restarts at the second pick.
    balancer.pick(list, plain);
    expect(pickIds(balancer, list, 7).join(' ')).toBe('a a b a c a a');
  });
});
