import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistentHash } from './consistent-hash.js';
import { referenceConsistentHash } from './test-reference.js';
import { type FakeServer, request, server } from './test-servers.js';

const keys = Array.from({ length: 1000 }, (_, i) => `conversation-${i}`);

function assign(balancer: ReturnType<typeof consistentHash>, list: FakeServer[]): string[] {
  return keys.map((k) => balancer.pick(list, request(k)).id);
}

/** A membership change: add a new server, remove one, or change one's weight. */
type Change =
  | { kind: 'add'; weight: number }
  | { kind: 'remove'; which: number }
  | { kind: 'weight'; which: number; weight: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), weight: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('remove' as const), which: fc.nat() }),
  fc.record({
    kind: fc.constant('weight' as const),
    which: fc.nat(),
    weight: fc.integer({ min: 1, max: 4 }),
  }),
);

describe('the consistent hash ring', () => {
  it('moves keys only to an added server and only from a removed one, no more than rendezvous hashing moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 80 }),
        fc.array(change, { minLength: 1, maxLength: 6 }),
        (initial, changes) => {
          let next = 0;
          let list = Array.from({ length: initial }, () => server(`node-${next++}`));
          // One balancer for the whole sequence: its rings are rebuilt per set.
          const ring = consistentHash();
          const reference = referenceConsistentHash();
          let before = assign(ring, list);
          let referenceBefore = assign(reference, list);
          for (const step of changes) {
            let added: string | undefined;
            let removed: string | undefined;
            let reweighted: string | undefined;
            if (step.kind === 'add') {
              const s = server(`node-${next++}`, { weight: step.weight });
              added = s.id;
              list = [...list, s];
            } else if (step.kind === 'remove') {
              if (list.length <= 2) continue;
              removed = list[step.which % list.length]!.id;
              ring.onRemove!(removed);
              list = list.filter((s) => s.id !== removed);
            } else {
              const target = list[step.which % list.length]!;
              reweighted = target.id;
              list = list.map((s) => (s === target ? server(s.id, { weight: step.weight }) : s));
            }
            const after = assign(ring, list);
            const referenceAfter = assign(reference, list);
            let moved = 0;
            let referenceMoved = 0;
            for (let k = 0; k < keys.length; k++) {
              if (referenceAfter[k] !== referenceBefore[k]) referenceMoved++;
              if (after[k] === before[k]) continue;
              moved++;
              if (added !== undefined) expect(after[k]).toBe(added);
              if (removed !== undefined) expect(before[k]).toBe(removed);
              if (reweighted !== undefined) expect([before[k], after[k]]).toContain(reweighted);
            }
            // The ring's shares are a little less even than rendezvous's exact ones, so
            // it may move a few more keys, never a multiple of them.
            const slack = 5 * Math.sqrt(Math.max(referenceMoved, 1)) + 0.02 * keys.length;
            expect(moved).toBeLessThanOrEqual(referenceMoved + slack);
            before = after;
            referenceBefore = referenceAfter;
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('gives each server its share of keys within a few percent at 1,000 servers', () => {
    const list = Array.from({ length: 1000 }, (_, i) =>
      server(`replica-${i}`, { weight: 1 + (i % 2) }),
    );
    const balancer = consistentHash();
    const counts = new Map<string, number>();
    const many = 150_000;
    for (let k = 0; k < many; k++) {
      const id = balancer.pick(list, request(`k${k}`)).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    let light = 0;
    let heavy = 0;
    for (const s of list) {
      if (s.weight === 1) light += counts.get(s.id) ?? 0;
      else heavy += counts.get(s.id) ?? 0;
    }
    // Weight 2 carries twice the keys of weight 1, in total.
    expect(heavy / light).toBeGreaterThan(1.9);
    expect(heavy / light).toBeLessThan(2.1);
    // And no server is starved or doubled.
    for (const s of list) {
      const expected = (many * s.weight) / 1500;
      const got = counts.get(s.id) ?? 0;
      expect(got).toBeGreaterThan(expected * 0.5);
      expect(got).toBeLessThan(expected * 1.6);
    }
  });

  it('routes a key the same way in every instance and for any order, at 300 servers', () => {
    const list = Array.from({ length: 300 }, (_, i) => server(`pod-${i}`));
    const shuffled = [...list].sort(
      (a, b) => (a.id.length - b.id.length) * 7 + (a.id < b.id ? 1 : -1),
    );
    const one = assign(consistentHash(), list);
    const other = assign(consistentHash(), shuffled);
    expect(other).toEqual(one);
  });
});

describe('a ring for part of a known set', () => {
  it('sends every key where a ring of its own would', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 90 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 90, maxLength: 90 }),
        fc.array(fc.boolean(), { minLength: 90, maxLength: 90 }),
        (size, weights, keep) => {
          const all = Array.from({ length: size }, (_, i) =>
            server(`member-${i}`, { weight: weights[i]! }),
          );
          // Keep at least half, in a shuffled order.
          const part = all.filter((_, i) => keep[i] || 2 * i < size).reverse();
          const seen = consistentHash();
          seen.pick(all, request('warm-up'));
          const fresh = consistentHash();
          for (const key of keys.slice(0, 300)) {
            expect(seen.pick(part, request(key)).id).toBe(fresh.pick(part, request(key)).id);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
