import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { priority } from './priority.js';
import { plain, server, tally } from './test-servers.js';

describe('priority', () => {
  const primaryA = server('primaryA', { priority: 10 });
  const primaryB = server('primaryB', { priority: 10 });
  const standby = server('standby', { priority: 5 });
  const last = server('last', { priority: -1 });

  it('takes the top tier in turn and leaves lower tiers alone', () => {
    const balancer = priority();
    const ids = Array.from(
      { length: 6 },
      () => balancer.pick([standby, primaryA, last, primaryB], plain).id,
    );
    expect(ids).toEqual(['primaryA', 'primaryB', 'primaryA', 'primaryB', 'primaryA', 'primaryB']);
  });

  it('spills to the next tier only while the top tier is absent', () => {
    const balancer = priority();
    expect(balancer.pick([standby, primaryA, last], plain).id).toBe('primaryA');
    expect(balancer.pick([standby, last], plain).id).toBe('standby');
    expect(balancer.pick([standby, last], plain).id).toBe('standby');
    expect(balancer.pick([last], plain).id).toBe('last');
    expect(balancer.pick([last, primaryB, standby], plain).id).toBe('primaryB');
  });

  it('always picks from the highest tier present, evenly within it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (priorities, cycles) => {
          const balancer = priority();
          const list = priorities.map((p, i) => server(`s${i}`, { priority: p }));
          const top = Math.max(...priorities);
          const tier = list.filter((s) => s.priority === top);
          const ids = Array.from(
            { length: tier.length * cycles },
            () => balancer.pick(list, plain).id,
          );
          expect(tally(ids)).toEqual(new Map(tier.map((s) => [s.id, cycles])));
        },
      ),
    );
  });

  it('counts a NaN priority as 0', () => {
    const balancer = priority();
    const list = [server('nan', { priority: Number.NaN }), server('low', { priority: -1 })];
    expect(balancer.pick(list, plain).id).toBe('nan');
    const higher = [...list, server('one', { priority: 1 })];
    expect(balancer.pick(higher, plain).id).toBe('one');
  });
});
