import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consistentHash } from './consistent-hash.js';
import { type FakeServer, plain, request, server, servers, tally } from './test-servers.js';

const keys = Array.from({ length: 4000 }, (_, i) => `user-${i}`);

function assign(list: FakeServer[], balancer = consistentHash()): Map<string, string> {
  return new Map(keys.map((k) => [k, balancer.pick(list, request(k)).id]));
}

const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9_-]{1,12}$/), {
  minLength: 2,
  maxLength: 16,
});

describe('consistentHash', () => {
  it('sends a key to the same server whatever the candidate order, in any instance', () => {
    fc.assert(
      fc.property(
        ids,
        fc.array(fc.string(), { minLength: 1, maxLength: 20 }),
        (names, someKeys) => {
          const list = names.map((id) => server(id));
          const reversed = [...list].reverse();
          const one = consistentHash();
          const other = consistentHash();
          for (const key of someKeys) {
            if (key === '') continue;
            const id = one.pick(list, request(key)).id;
            expect(one.pick(list, request(key)).id).toBe(id);
            expect(other.pick(reversed, request(key)).id).toBe(id);
          }
        },
      ),
    );
  });

  it('moves about 1/n of the keys when a server is added, all to the new server', () => {
    fc.assert(
      fc.property(ids, (names) => {
        const [added, ...rest] = names.map((id) => server(id));
        const before = assign(rest);
        const after = assign([...rest, added!]);
        let moved = 0;
        for (const key of keys) {
          if (before.get(key) === after.get(key)) continue;
          moved++;
          expect(after.get(key)).toBe(added!.id);
        }
        const p = 1 / names.length;
        const sd = Math.sqrt((p * (1 - p)) / keys.length);
        expect(Math.abs(moved / keys.length - p)).toBeLessThan(5 * sd + 0.01);
      }),
      { numRuns: 60 },
    );
  });

  it('moves only the keys of a removed server', () => {
    const list = servers(6);
    const before = assign(list);
    const after = assign(list.filter((s) => s.id !== 's3'));
    for (const key of keys) {
      if (before.get(key) !== 's3') expect(after.get(key)).toBe(before.get(key));
      else expect(after.get(key)).not.toBe('s3');
    }
  });

  it('shares keys in proportion to weights', () => {
    const list = [
      server('a', { weight: 1 }),
      server('b', { weight: 2 }),
      server('c', { weight: 5 }),
    ];
    const counts = tally([...assign(list).values()]);
    expect(counts.get('a')! / keys.length).toBeCloseTo(1 / 8, 1);
    expect(counts.get('b')! / keys.length).toBeCloseTo(2 / 8, 1);
    expect(counts.get('c')! / keys.length).toBeCloseTo(5 / 8, 1);
  });

  it('gives no keys to a drained server, and shares them equally when all are drained', () => {
    const list = [server('a'), server('drained', { weight: 0 }), server('c')];
    expect(tally([...assign(list).values()]).get('drained')).toBeUndefined();
    const counts = tally([...assign(servers(3, { weight: 0 })).values()]);
    for (const count of counts.values()) expect(count / keys.length).toBeCloseTo(1 / 3, 1);
  });

  it('is roughly even over ids that differ only in their last character', () => {
    const counts = tally([...assign(servers(10)).values()]);
    for (const count of counts.values()) expect(Math.abs(count - 400)).toBeLessThan(100);
  });

  it('falls back to round robin without a key', () => {
    const balancer = consistentHash();
    const list = servers(3);
    const picked = [plain, request(''), plain].map((r) => balancer.pick(list, r).id);
    expect(picked).toEqual(['s0', 's1', 's2']);
  });

  it('reads the key from a custom function', () => {
    const balancer = consistentHash({ key: (r) => r.target });
    const list = servers(8);
    const call = { method: 'tools/call', params: {}, safe: true, target: 'search' };
    const first = balancer.pick(list, call).id;
    for (let i = 0; i < 10; i++)
      expect(balancer.pick(list, { ...call, key: `k${i}` }).id).toBe(first);
  });
});
