import { describe, expect, it } from 'vitest';
import { cacheKey } from './cache-key.js';

const call = (args: Record<string, unknown>, target = 'add') => ({
  method: 'tools/call',
  params: { name: 'add', arguments: args },
  safe: true,
  target,
});

describe('cacheKey', () => {
  it('does not depend on the order of arguments, at any depth', () => {
    expect(cacheKey(call({ a: 1, b: { x: 1, y: 2 } }), null)).toBe(
      cacheKey(call({ b: { y: 2, x: 1 }, a: 1 }), null),
    );
  });

  it('differs by value, by pinned server and by the name the caller spelled', () => {
    const base = cacheKey(call({ a: 1 }), null);
    expect(cacheKey(call({ a: 2 }), null)).not.toBe(base);
    expect(cacheKey(call({ a: 1 }), 's1')).not.toBe(base);
    expect(cacheKey(call({ a: 1 }), 's1')).not.toBe(cacheKey(call({ a: 1 }), 's2'));
    // `s1__add` and `s2__add` both send `add` upstream but are different tools.
    expect(cacheKey(call({ a: 1 }, 's1__add'), null)).not.toBe(
      cacheKey(call({ a: 1 }, 's2__add'), null),
    );
  });

  it('differs by fan-out aggregation, and keeps its old value without one', () => {
    const base = cacheKey(call({ a: 1 }), null);
    expect(cacheKey(call({ a: 1 }), null, null)).toBe(base);
    expect(cacheKey(call({ a: 1 }), null, 'all')).not.toBe(base);
    expect(cacheKey(call({ a: 1 }), null, 'all')).not.toBe(
      cacheKey(call({ a: 1 }), null, 'majority'),
    );
    // The key this call had before aggregations were keyed: stored entries still match.
    expect(base).toBe('v1:tools/call:XKqs9anM1BKsivHtvMbbIJhY60-xyC9k4PZnOdwQI5U');
  });

  it('is short and names its method, whatever the size of the params', () => {
    const key = cacheKey(call({ text: 'x'.repeat(10_000) }), null);
    expect(key.startsWith('v1:tools/call:')).toBe(true);
    expect(key.length).toBeLessThan(80);
  });
});
