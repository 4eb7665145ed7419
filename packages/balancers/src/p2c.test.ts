import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { p2c } from './p2c.js';
import { plain, seeded, server, servers, tally } from './test-servers.js';

describe('p2c', () => {
  it('never picks the single most loaded server', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 20 }),
        fc.integer(),
        (loads, seed) => {
          const balancer = p2c({ random: seeded(seed) });
          const list = loads.map((inFlight, i) => server(`s${i}`, { inFlight }));
          const busiest = Math.max(...loads);
          for (let k = 0; k < 50; k++)
            expect(balancer.pick(list, plain).inFlight).toBeLessThan(busiest);
        },
      ),
    );
  });

  it('always takes the less loaded of two', () => {
    const balancer = p2c({ random: seeded(7) });
    const list = [server('busy', { inFlight: 3 }), server('idle', { inFlight: 1 })];
    for (let k = 0; k < 20; k++) expect(balancer.pick(list, plain).id).toBe('idle');
  });

  it('spreads evenly over equally loaded servers', () => {
    const balancer = p2c({ random: seeded(3) });
    const list = servers(4);
    const counts = tally(Array.from({ length: 8000 }, () => balancer.pick(list, plain).id));
    for (const s of list) expect(Math.abs(counts.get(s.id)! - 2000)).toBeLessThan(200);
  });
});
