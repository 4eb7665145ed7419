import { testCacheStore } from '@mcpool/core/testing';
import { delay } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { memoryStore } from './memory-store.js';

describe('memoryStore', () => {
  it('evicts the least recently used entry beyond maxEntries', () => {
    const store = memoryStore({ maxEntries: 2 });
    store.set('a', '1', 10_000);
    store.set('b', '2', 10_000);
    store.get('a');
    store.set('c', '3', 10_000);
    expect(store.get('a')).toBe('1');
    expect(store.get('b')).toBeUndefined();
    expect(store.stats()).toMatchObject({ entries: 2, evictions: 1 });
  });

  it('stays within maxBytes, counting keys and values as UTF-8', () => {
    const store = memoryStore({ maxBytes: 100 });
    store.set('k1', 'é'.repeat(20), 10_000); // 2 + 40 bytes
    store.set('k2', 'x'.repeat(40), 10_000); // 2 + 40 bytes
    expect(store.stats().bytes).toBe(84);
    store.set('k3', 'y'.repeat(40), 10_000);
    expect(store.stats()).toMatchObject({ entries: 2, bytes: 84, evictions: 1 });
    expect(store.get('k1')).toBeUndefined();
    // Larger than the whole store: refused, nothing else lost.
    store.set('big', 'z'.repeat(200), 10_000);
    expect(store.get('big')).toBeUndefined();
    expect(store.stats().entries).toBe(2);
  });

  it('expires entries after their TTL', async () => {
    const store = memoryStore();
    store.set('a', '1', 30);
    expect(store.get('a')).toBe('1');
    await delay(50);
    expect(store.get('a')).toBeUndefined();
    expect(store.stats().entries).toBe(0);
  });

  it('deletes and clears', () => {
    const store = memoryStore();
    store.set('a', '1', 10_000);
    store.set('b', '2', 10_000);
    store.delete('a');
    expect(store.get('a')).toBeUndefined();
    store.clear();
    expect(store.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });
});

testCacheStore('memoryStore', () => memoryStore());
