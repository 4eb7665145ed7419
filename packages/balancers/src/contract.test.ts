import type { Balancer } from '@mcpool/core';
import { McpoolError, NoServerAvailableError } from '@mcpool/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balancerNames,
  consistentHash,
  fromName,
  leastConnections,
  p2c,
  p2cEwma,
  priority,
  random,
  roundRobin,
  weighted,
} from './index.js';
import { plain, request, seeded, server } from './test-servers.js';

const factories: Record<string, (random: () => number) => Balancer> = {
  roundRobin: () => roundRobin(),
  weighted: () => weighted(),
  leastConnections: () => leastConnections(),
  priority: () => priority(),
  random: (r) => random({ random: r }),
  p2c: (r) => p2c({ random: r }),
  p2cEwma: (r) => p2cEwma({ random: r, now: () => 0 }),
  consistentHash: () => consistentHash(),
};

const oddNumber = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.constantFrom(0, -1, Number.NaN, Number.POSITIVE_INFINITY, 0.5),
);

const candidateLists = fc.array(
  fc.record({
    weight: oddNumber,
    priority: oddNumber,
    inFlight: fc.integer({ min: 0, max: 5 }),
  }),
  { minLength: 1, maxLength: 25 },
);

describe.each(Object.entries(factories))('%s', (_, create) => {
  it('throws NoServerAvailableError on an empty list', () => {
    const balancer = create(Math.random);
    const error = (() => {
      try {
        balancer.pick([], plain);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NoServerAvailableError);
    expect(McpoolError.isInstance(error) && error.code).toBe('NO_SERVER_AVAILABLE');
  });

  it('only ever returns one of the candidates it was given', () => {
    fc.assert(
      fc.property(
        fc.array(candidateLists, { minLength: 1, maxLength: 6 }),
        fc.integer(),
        (lists, seed) => {
          const balancer = create(seeded(seed));
          const pool = new Map<string, ReturnType<typeof server>>();
          let n = 0;
          for (const list of lists) {
            // Ids overlap between lists so state carries over membership changes.
            const candidates = list.map((fields, i) => {
              const id = `s${(i * 7 + n) % 30}`;
              const s = pool.get(id) ?? server(id);
              pool.set(id, s);
              return Object.assign(s, fields);
            });
            const unique = [...new Map(candidates.map((c) => [c.id, c])).values()];
            n++;
            for (let k = 0; k < 20; k++) {
              const picked = balancer.pick(unique, request(k % 3 === 0 ? undefined : `key${k}`));
              if (!unique.includes(picked)) return false;
              balancer.onResult?.({
                server: picked,
                method: 'tools/call',
                request: request(undefined),
                background: false,
                outcome: k % 5 === 0 ? 'server-error' : 'success',
                latencyMs: k,
              });
            }
          }
          return true;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('survives random sources that return edge values', () => {
    for (const value of [0, 0.999_999_999_999, 1, -0.5, Number.NaN]) {
      const balancer = create(() => value);
      const list = [server('a'), server('b'), server('c')];
      for (let k = 0; k < 5; k++) expect(list).toContain(balancer.pick(list, plain));
    }
  });

  it('forgets removed servers without failing', () => {
    const balancer = create(seeded(1));
    const list = [server('a'), server('b')];
    balancer.pick(list, request('k'));
    balancer.onRemove?.('a');
    balancer.onRemove?.('never-seen');
    expect(list.slice(1)).toContain(balancer.pick(list.slice(1), request('k')));
  });
});

describe('names', () => {
  it('each strategy reports its canonical name, which fromName accepts', () => {
    const made = Object.values(factories).map((create) => create(Math.random).name);
    expect(new Set(made)).toEqual(new Set(balancerNames));
    for (const name of balancerNames) expect(fromName(name).name).toBe(name);
  });
});
