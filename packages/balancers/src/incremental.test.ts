import type { Balancer, ServerView } from '@mcpool/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SMALL_SET } from './candidate-sets.js';
import { leastConnections, leastConnectionsAbove } from './least-connections.js';
import { priority } from './priority.js';
import {
  referenceLeastConnections,
  referencePriority,
  referenceWeighted,
} from './test-reference.js';
import { type FakeServer, plain, server } from './test-servers.js';
import { weighted } from './weighted.js';

// The structures kept per candidate set (tiers, load trees, lazy smooth
// schedules) must pick exactly what the O(n) scans they replace picked, on any
// sequence of picks, starts, finishes, weight and priority changes and
// removals. Changes follow the contract a pool keeps: a list whose members
// changed weight or priority is handed over as a new array (or, for lists
// the strategies re-check on every pick, maybe not).

type Op =
  | { kind: 'pick'; list: number; fresh: boolean; start: boolean }
  | { kind: 'finish'; which: number }
  | { kind: 'weight'; server: number; value: number; renew: boolean }
  | { kind: 'priority'; server: number; value: number; renew: boolean }
  | { kind: 'remove'; server: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('pick' as const),
      list: fc.nat(),
      fresh: fc.boolean(),
      start: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), which: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('weight' as const),
      server: fc.nat(),
      value: fc.integer({ min: 0, max: 5 }),
      renew: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('priority' as const),
      server: fc.nat(),
      value: fc.integer({ min: -1, max: 2 }),
      renew: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('remove' as const), server: fc.nat() }) },
);

interface Scenario {
  weights: number[];
  priorities: number[];
  lists: number[][];
  ops: Op[];
}

function scenario(size: number, maxWeight = 5): fc.Arbitrary<Scenario> {
  const indices = Array.from({ length: size }, (_, i) => i);
  return fc.record({
    weights: fc.array(fc.integer({ min: 0, max: maxWeight }), {
      minLength: size,
      maxLength: size,
    }),
    priorities: fc.array(fc.integer({ min: -1, max: 2 }), { minLength: size, maxLength: size }),
    lists: fc.array(fc.subarray(indices, { minLength: 1 }), { minLength: 1, maxLength: 4 }),
    ops: fc.array(op, { minLength: 1, maxLength: 150 }),
  });
}

/** Runs the operations on both balancers and returns the picks of each. */
function run(
  made: Balancer,
  reference: Balancer,
  { weights, priorities, lists, ops }: Scenario,
): { picks: string[]; expected: string[] } {
  const servers: FakeServer[] = weights.map((weight, i) =>
    server(`s${i}`, { weight, priority: priorities[i]! }),
  );
  let arrays: FakeServer[][] = lists.map((l) => l.map((i) => servers[i]!));
  const started: FakeServer[] = [];
  const picks: string[] = [];
  const expected: string[] = [];
  const renew = () => {
    arrays = lists.map((l) => l.map((i) => servers[i]!));
  };
  for (const step of ops) {
    switch (step.kind) {
      case 'pick': {
        const list = arrays[step.list % arrays.length]!;
        const given = step.fresh ? list.slice() : list;
        const a = made.pick(given, plain);
        const b = reference.pick(given, plain);
        picks.push(a.id);
        expected.push(b.id);
        if (step.start && a === b) {
          a.inFlight++;
          made.onStart?.(a);
          reference.onStart?.(a);
          started.push(a);
        }
        break;
      }
      case 'finish': {
        if (started.length === 0) break;
        const [done] = started.splice(step.which % started.length, 1);
        done!.inFlight--;
        const report = {
          server: done as ServerView,
          method: 'tools/call',
          request: plain,
          background: false,
          outcome: 'success' as const,
          latencyMs: 1,
        };
        made.onResult?.(report);
        reference.onResult?.(report);
        break;
      }
      case 'weight':
      case 'priority': {
        const target = servers[step.server % servers.length]!;
        target[step.kind] = step.value;
        // Up to SMALL_SET members a list is re-checked on every pick, so a
        // change in place is seen too; above, the contract asks for a new array.
        if (step.renew || servers.length > SMALL_SET) renew();
        break;
      }
      case 'remove': {
        const index = step.server % servers.length;
        const gone = servers[index]!;
        if (started.includes(gone)) break;
        made.onRemove?.(gone.id);
        reference.onRemove?.(gone.id);
        // Back as a new server with the same id, as a pool re-adds it.
        servers[index] = server(gone.id, { weight: gone.weight, priority: gone.priority });
        renew();
        break;
      }
    }
  }
  return { picks, expected };
}

const strategies: [string, () => Balancer, () => Balancer][] = [
  ['weighted', weighted, referenceWeighted],
  [
    'leastConnections (tree at every size)',
    () => leastConnectionsAbove(0),
    referenceLeastConnections,
  ],
  ['leastConnections', leastConnections, referenceLeastConnections],
  ['priority', priority, referencePriority],
];

describe.each(strategies)('%s against the O(n) scan it replaces', (_, create, reference) => {
  it('picks the same on random operations, a few servers', () => {
    fc.assert(
      fc.property(scenario(8), (input) => {
        const { picks, expected } = run(create(), reference(), input);
        expect(picks).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('picks the same on random operations, more servers than are re-checked per pick', () => {
    fc.assert(
      fc.property(scenario(80), (input) => {
        const { picks, expected } = run(create(), reference(), input);
        expect(picks).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe('weighted with many distinct weights (the kinetic tournament) against the O(n) scan', () => {
  it('picks the same on random operations', () => {
    fc.assert(
      fc.property(scenario(40, 60), (input) => {
        const { picks, expected } = run(weighted(), referenceWeighted(), input);
        expect(picks).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });
});
