import { LRUCache } from 'lru-cache';
import type { CacheStore, CacheStoreStats } from './store.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries held; the least recently used goes first. @default 1_000 */
  maxEntries?: number | undefined;
  /** Most bytes held (UTF-8 length of keys and values). @default 33_554_432 (32 MiB) */
  maxBytes?: number | undefined;
}

/** The in-process store: an LRU bounded by entries and by bytes. */
export interface MemoryStore extends CacheStore {
  stats(): CacheStoreStats;
}

/** An in-process LRU store (lru-cache), bounded by entry count and by bytes. */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntries ?? 1_000;
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
  let evictions = 0;
  const lru = new LRUCache<string, string>({
    max: maxEntries,
    maxSize: maxBytes,
    sizeCalculation: (value, key) =>
      Math.max(1, Buffer.byteLength(value, 'utf8') + Buffer.byteLength(key, 'utf8')),
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') evictions++;
    },
  });
  return {
    name: 'memory',
    get: (key) => lru.get(key),
    set: (key, value, ttlMs) => {
      // An entry larger than the whole store is refused by lru-cache; nothing else to do.
      lru.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    },
    delete: (key) => {
      lru.delete(key);
    },
    clear: () => {
      lru.clear();
    },
    stats: () => {
      // Expired entries are dropped lazily; purge them so the figures are honest.
      lru.purgeStale();
      return { entries: lru.size, bytes: lru.calculatedSize, evictions };
    },
  };
}
