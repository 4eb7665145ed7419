export type { CacheKind } from './entry.js';
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from './memory-store.js';
export type { CacheStore, CacheStoreStats, MaybePromise } from './store.js';
export {
  type CacheHandle,
  type CacheMetrics,
  type CacheOperation,
  type CacheOptions,
  type CacheTtl,
  withCache,
} from './with-cache.js';
