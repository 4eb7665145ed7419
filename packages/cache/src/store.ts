/** A value or a promise of it: stores may be synchronous (memory) or not (Redis). */
export type MaybePromise<T> = T | Promise<T>;

/** Figures a store can report about itself. */
export interface CacheStoreStats {
  /** Entries held now. */
  readonly entries: number;
  /** Bytes held now (keys and serialized values). */
  readonly bytes: number;
  /** Entries pushed out to stay within the store's bounds. */
  readonly evictions: number;
}

/**
 * Where cached answers live. Keys and values are strings (the cache serializes
 * to JSON before it calls the store), so a store never shares objects with
 * callers and any key-value service can back it.
 *
 * A store reports failures by throwing or rejecting; the cache counts them and
 * carries on without caching, so a store never has to swallow its own errors.
 */
export interface CacheStore {
  /** Short name for metrics and errors, e.g. `memory`, `redis`. */
  readonly name: string;
  /** The value stored under `key`, or undefined when absent or expired. */
  get(key: string): MaybePromise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): MaybePromise<void>;
  delete(key: string): MaybePromise<void>;
  /** Removes every entry this store holds for the cache (a shared store: under its prefix only). */
  clear(): MaybePromise<void>;
  /** Figures, when the store can give them cheaply and synchronously. */
  stats?(): CacheStoreStats;
  /** Releases connections and timers. */
  close?(): MaybePromise<void>;
}
