import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leastConnections } from './least-connections.js';
import { plain, server, servers, tally } from './test-servers.js';

describe('leastConnections', () => {
  it('never picks a server with a higher inFlight/weight than the minimum', () => {
    const lists = fc.array(
      fc.record({
        inFlight: fc.integer({ min: 0, max: 20 }),
        weight: fc.integer({ min: 0, max: 5 }),
      }),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(fc.array(lists, { minLength: 1, maxLength: 5 }), (rounds) => {
        const balancer = leastConnections();
        for (const fields of rounds) {
          const list = fields.map((f, i) => server(`s${i}`, f));
          const drainedOnly = list.every((s) => s.weight === 0);
          const load = (s: (typeof list)[number]) =>
            drainedOnly
              ? s.inFlight
              : s.weight === 0
                ? Number.POSITIVE_INFINITY
                : s.inFlight / s.weight;
          const minimum = Math.min(...list.map(load));
          for (let k = 0; k < 5; k++) expect(load(balancer.pick(list, plain))).toBe(minimum);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes tied servers in turn', () => {
    const balancer = leastConnections();
    const list = servers(4);
    const ids = Array.from({ length: 12 }, () => balancer.pick(list, plain).id);
    expect(ids.slice(0, 4)).toEqual(['s0', 's1', 's2', 's3']);
    expect(tally(ids)).toEqual(new Map(list.map((s) => [s.id, 3])));
  });

  it('takes tied servers in turn even when a busy one sits between them', () => {
    const balancer = leastConnections();
    const list = [server('a'), server('busy', { inFlight: 5 }), server('c'), server('d')];
    const ids = Array.from({ length: 9 }, () => balancer.pick(list, plain).id);
    expect(tally(ids)).toEqual(
      new Map([
        ['a', 3],
        ['c', 3],
        ['d', 3],
      ]),
    );
  });

  it('loads servers in proportion to their weights', () => {
    const balancer = leastConnections();
    const list = [server('big', { weight: 2 }), server('small', { weight: 1 })];
    // Requests that never finish: in-flight counts grow with each pick.
    for (let i = 0; i < 30; i++) balancer.pick(list, plain).inFlight++;
    expect(list.map((s) => s.inFlight)).toEqual([20, 10]);
  });

  it('starves nobody under a steady load', () => {
    const balancer = leastConnections();
    const list = servers(5);
    const active: (typeof list)[number][] = [];
    const ids: string[] = [];
    for (let i = 0; i < 500; i++) {
      const picked = balancer.pick(list, plain);
      picked.inFlight++;
      active.push(picked);
      ids.push(picked.id);
      // Two requests in flight at a time, finishing in order.
      if (active.length > 2) active.shift()!.inFlight--;
    }
    for (const count of tally(ids).values()) expect(count).toBe(100);
  });

  it('uses drained servers only when all are drained, by in-flight count', () => {
    const balancer = leastConnections();
    const drained = [
      server('a', { weight: 0, inFlight: 3 }),
      server('b', { weight: 0, inFlight: 1 }),
    ];
    expect(balancer.pick(drained, plain).id).toBe('b');
    const mixed = [...drained, server('c', { weight: 1, inFlight: 50 })];
    expect(balancer.pick(mixed, plain).id).toBe('c');
  });
});
