import { describe, expect, it } from 'vitest';
import { useCleanup } from './cleanup.js';

type MaybePromise<T> = T | Promise<T>;

/** The shape of `@mcpool/cache`'s `CacheStore`, restated so core need not depend on the cache. */
export interface CacheStoreUnderTest {
  readonly name: string;
  get(key: string): MaybePromise<string | undefined>;
  set(key: string, value: string, ttlMs: number): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
  clear(): MaybePromise<void>;
  stats?(): { readonly entries: number; readonly bytes: number; readonly evictions: number };
  close?(): MaybePromise<void>;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The contract every cache store keeps, as a suite of tests:
 * `testCacheStore('memory', () => memoryStore())`. `create` may be async
 * (a store that must connect first); each test gets a fresh store, closed after it.
 */
export function testCacheStore(
  name: string,
  create: () => CacheStoreUnderTest | Promise<CacheStoreUnderTest>,
): void {
  describe(`${name}: the CacheStore contract`, () => {
    const cleanup = useCleanup();
    const fresh = async () => {
      const store = await create();
      cleanup(async () => {
        await store.clear();
        await store.close?.();
      });
      return store;
    };

    it('has a name', async () => {
      const store = await fresh();
      expect(typeof store.name).toBe('string');
      expect(store.name.length).toBeGreaterThan(0);
    });

    it('gives back what was set, and nothing for a key never set', async () => {
      const store = await fresh();
      await store.set('a', '{"x":1}', 10_000);
      expect(await store.get('a')).toBe('{"x":1}');
      expect(await store.get('never')).toBeUndefined();
      await store.set('a', 'second', 10_000);
      expect(await store.get('a')).toBe('second');
    });

    it('keeps strings as they are, unicode included', async () => {
      const store = await fresh();
      const value = 'é漢🙂\u0000"quoted"';
      await store.set('u', value, 10_000);
      expect(await store.get('u')).toBe(value);
    });

    it('forgets an entry after its TTL', async () => {
      const store = await fresh();
      await store.set('short', 'v', 30);
      await store.set('long', 'v', 10_000);
      await wait(80);
      expect(await store.get('short')).toBeUndefined();
      expect(await store.get('long')).toBe('v');
    });

    it('deletes one entry and clears all', async () => {
      const store = await fresh();
      await store.set('a', '1', 10_000);
      await store.set('b', '2', 10_000);
      await store.delete('a');
      await store.delete('never');
      expect(await store.get('a')).toBeUndefined();
      expect(await store.get('b')).toBe('2');
      await store.clear();
      expect(await store.get('b')).toBeUndefined();
    });

    it('reports sane figures, when it reports any', async () => {
      const store = await fresh();
      await store.set('a', '1', 10_000);
      const stats = store.stats?.();
      if (stats === undefined) return;
      expect(stats.entries).toBeGreaterThanOrEqual(1);
      expect(stats.bytes).toBeGreaterThan(0);
      expect(stats.evictions).toBeGreaterThanOrEqual(0);
    });
  });
}
