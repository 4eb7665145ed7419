import type { CallContext, ConfigIssue } from '@mcpool/core';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import type { CacheStore } from './store.js';

/** Time to live of each kind of entry, ms; 0 turns caching of that kind off. */
export interface CacheTtl {
  /** tools/list, resources/list, resources/templates/list, prompts/list. @default 60_000 */
  catalog?: number | undefined;
  /** resources/read. @default 30_000 */
  resource?: number | undefined;
  /** prompts/get. @default 60_000 */
  prompt?: number | undefined;
  /** tools/call of read-only tools. @default 10_000 */
  tool?: number | undefined;
}

/** What a store operation was doing when it failed. */
export type CacheOperation = 'get' | 'set' | 'delete' | 'clear' | 'refresh';

/** Options of {@link withCache}. Every one is optional. */
export interface CacheOptions {
  /** Where entries live. @default memoryStore({ maxEntries, maxBytes }) */
  store?: CacheStore | undefined;
  /** Bound of the default memory store. @default 1_000 */
  maxEntries?: number | undefined;
  /** Bound of the default memory store, bytes. @default 33_554_432 (32 MiB) */
  maxBytes?: number | undefined;
  /** Larger answers are not stored, bytes of JSON. @default 1_048_576 (1 MiB) */
  maxEntryBytes?: number | undefined;
  /** Time to live per kind of request, ms. */
  ttl?: CacheTtl | undefined;
  /**
   * After an entry's TTL, serve it this much longer (ms) while one background
   * call refreshes it. 0 turns stale-while-revalidate off. @default 0
   */
  staleWhileRevalidate?: number | undefined;
  /** Tools whose calls may be cached whatever their annotations say. */
  readOnlyTools?: string[] | undefined;
  /** Tools whose calls are never cached, whatever their annotations say. Wins over `readOnlyTools`. */
  noCacheTools?: string[] | undefined;
  /**
   * Cache calls of tools that announce `readOnlyHint: true`. Turn off when the
   * servers are not trusted; then only `readOnlyTools` are cached. @default true
   */
  trustAnnotations?: boolean | undefined;
  /** A store operation that takes longer counts as failed (a miss), ms. @default 250 */
  storeTimeout?: number | undefined;
  /** Close the store on `close()`. @default true when the cache made the store itself */
  closeStore?: boolean | undefined;
  /**
   * The authorization context of a call (the caller's user or tenant, say). A server may mark a
   * result `cacheScope: 'private'` (2026-07-28): such a result is served only to calls of the
   * same context; a `public` one to every call. Set it whenever one client serves callers with
   * different rights (a gateway). @default every call is of one context
   */
  partition?: ((context: CallContext) => string) | undefined;
  /** Clock, ms since epoch; inject one to test expiry. @default Date.now */
  now?: (() => number) | undefined;
  /**
   * Told of every store failure and failed background refresh. The cache goes
   * on without caching either way; failures are also counted in `metrics()`.
   */
  onError?: ((error: unknown, operation: CacheOperation) => void) | undefined;
}

/** Cache figures. */
export interface CacheMetrics {
  /** Calls answered from the cache with a fresh entry. */
  hits: number;
  /** Calls answered with a stale entry while it was refreshed. */
  staleHits: number;
  /** Calls that went upstream. */
  misses: number;
  /** Calls that shared another identical call in flight instead of going upstream. */
  coalesced: number;
  /** Answers written to the store. */
  stored: number;
  /** Answers not stored: errors, `isError` results, too large, or invalidated while in flight. */
  notStored: number;
  /** Entries dropped because their source changed (list_changed, resource updated, server removed). */
  invalidated: number;
  /** Entries the store pushed out to stay within its bounds (memory store only). */
  evictions: number;
  /** Background refreshes started (stale-while-revalidate). */
  refreshes: number;
  /** Store operations or refreshes that failed; the calls went on without the cache. */
  errors: number;
  /** Entries held (memory store), or known to this process (other stores). */
  entries: number;
  /** Bytes held; undefined when the store cannot say. */
  bytes: number | undefined;
  /** hits + staleHits + coalesced over all cacheable calls; 0 before any. */
  hitRate: number;
}

/** What {@link withCache} returns: figures and controls of one installed cache. */
export interface CacheHandle {
  metrics(): CacheMetrics;
  /** Drops every entry (in a shared store: every entry under its prefix). */
  clear(): Promise<void>;
  /** Resolves when every store write, delete and background refresh started so far has finished. */
  settled(): Promise<void>;
  /** Removes the middleware, the pool listeners and plugin, and closes the store if the cache owns it. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Time to live of each kind by default, ms. */
export const DEFAULT_TTL: Required<{ [K in keyof CacheTtl]: number }> = {
  catalog: 60_000,
  resource: 30_000,
  prompt: 60_000,
  tool: 10_000,
};

const NON_NEGATIVE = 'must be a finite number >= 0';
const POSITIVE_INT = 'must be an integer >= 1';
const TOOL_NAMES = 'must be an array of tool names';

const nonNegative = optionOf<number>(
  (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
  NON_NEGATIVE,
);
const positiveInt = optionOf<number>(
  (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1,
  POSITIVE_INT,
);
const toolNames = optionOf<string[]>(
  (v) => Array.isArray(v) && v.every((t) => typeof t === 'string'),
  TOOL_NAMES,
);
const fn = (message: string) =>
  optionOf<(...args: never[]) => unknown>((v) => typeof v === 'function', message);

/** The options of `withCache`, as zod checks them. */
export const cacheOptionsSchema = z.object({
  maxEntries: positiveInt,
  maxBytes: positiveInt,
  maxEntryBytes: positiveInt,
  storeTimeout: positiveInt,
  staleWhileRevalidate: nonNegative,
  ttl: z
    .object({
      catalog: nonNegative,
      resource: nonNegative,
      prompt: nonNegative,
      tool: nonNegative,
    })
    .optional(),
  readOnlyTools: toolNames,
  noCacheTools: toolNames,
  store: optionOf<CacheStore>((v) => {
    const store = v as Partial<CacheStore> | null;
    return (
      typeof store?.get === 'function' &&
      typeof store.set === 'function' &&
      typeof store.delete === 'function' &&
      typeof store.clear === 'function'
    );
  }, 'must have get, set, delete and clear methods'),
  partition: fn('must be a function returning the authorization context of a call'),
  now: fn('must be a function returning ms since epoch'),
  onError: fn('must be a function'),
});

/** Checks the options of `withCache`; throws `InvalidConfigError` naming every problem. */
export function validateCacheOptions(options: CacheOptions): void {
  const issues: ConfigIssue[] = [];
  if (
    options.store !== undefined &&
    (options.maxEntries !== undefined || options.maxBytes !== undefined)
  ) {
    issues.push({
      path: 'maxEntries',
      message: 'bounds the default memory store only; with `store`, bound the store itself',
    });
  }
  checkOptions('cache options', cacheOptionsSchema, options, issues);
}
