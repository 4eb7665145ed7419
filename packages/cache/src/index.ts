export type { CacheKind } from './entry.js';
export { type MemoryStore, type MemoryStoreOptions, memoryStore } from './memory-store.js';
export type {
  CacheHandle,
  CacheMetrics,
  CacheOperation,
  CacheOptions,
  CacheTtl,
} from './options.js';
export type { CacheStore, CacheStoreStats, MaybePromise } from './store.js';
export { withCache } from './with-cache.js';
