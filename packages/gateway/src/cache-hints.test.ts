import { describe, expect, it } from 'vitest';
import { mergeCacheHints } from './modern.js';

describe('mergeCacheHints', () => {
  it('keeps the shortest ttl, public only when every upstream said public', () => {
    expect(
      mergeCacheHints([
        { ttlMs: 500, cacheScope: 'public' },
        { ttlMs: 200, cacheScope: 'public' },
      ]),
    ).toEqual({
      ttlMs: 200,
      cacheScope: 'public',
    });
    expect(
      mergeCacheHints([
        { ttlMs: 500, cacheScope: 'public' },
        { ttlMs: 900, cacheScope: 'private' },
      ]),
    ).toEqual({
      ttlMs: 500,
      cacheScope: 'private',
    });
    expect(mergeCacheHints([{ ttlMs: 500, cacheScope: 'public' }, undefined])).toEqual({
      ttlMs: 0,
      cacheScope: 'private',
    });
  });
});
