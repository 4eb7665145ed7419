import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { random } from './random.js';
import { plain, seeded, servers, tally } from './test-servers.js';

describe('random', () => {
  it('is roughly uniform with a seeded source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.integer(), (n, seed) => {
        const balancer = random({ random: seeded(seed) });
        const list = servers(n);
        const picks = 1000 * n;
        const counts = tally(Array.from({ length: picks }, () => balancer.pick(list, plain).id));
        const p = 1 / n;
        const sd = Math.sqrt(picks * p * (1 - p));
        for (const s of list)
          expect(Math.abs((counts.get(s.id) ?? 0) - picks * p)).toBeLessThan(5 * sd);
      }),
      { numRuns: 40 },
    );
  });

  it('is reproducible with the same seed', () => {
    const list = servers(10);
    const run = () => {
      const balancer = random({ random: seeded(42) });
      return Array.from({ length: 50 }, () => balancer.pick(list, plain).id).join();
    };
    expect(run()).toBe(run());
  });
});
