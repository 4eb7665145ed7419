import { describe, expect, it } from 'vitest';
import { decodeRecord } from './entry.js';

describe('decodeRecord', () => {
  const good = {
    v: 1,
    value: { content: [] },
    meta: { method: 'tools/call', kind: 'tool', scope: null, servers: ['s1'] },
    fetchedAt: 1,
    freshUntil: 2,
    staleUntil: 3,
  };

  it('reads back what the cache writes', () => {
    expect(decodeRecord(JSON.stringify(good))).toEqual(good);
  });

  it('refuses corrupt, foreign or old-format values instead of serving them', () => {
    expect(decodeRecord('{not json')).toBeUndefined();
    expect(decodeRecord('"a string"')).toBeUndefined();
    expect(decodeRecord(JSON.stringify({ ...good, v: 2 }))).toBeUndefined();
    expect(decodeRecord(JSON.stringify({ ...good, freshUntil: '2' }))).toBeUndefined();
    expect(
      decodeRecord(JSON.stringify({ ...good, meta: { ...good.meta, scope: 3 } })),
    ).toBeUndefined();
    const { value: _value, ...noValue } = good;
    expect(decodeRecord(JSON.stringify(noValue))).toBeUndefined();
  });
});
