import type { CatalogList, ServerPool } from '@mcpool/core';
import type { CacheHint } from '@modelcontextprotocol/server';
/** The lists a modern client asks for, by method, as the pools' catalogs name them. */
export declare const CATALOG_LIST_OF: Readonly<Record<string, CatalogList>>;
/**
 * The cache hint of a merged answer, from its upstreams' hints: the
 * shortest `ttlMs`, and `public` only when every upstream said `public`.
 * An upstream that gave no hint (every legacy server) makes the answer
 * `{ ttlMs: 0, cacheScope: 'private' }`: the gateway cannot promise for it
 * how long its list stays true, and what a client sees depends on its
 * token (its own upstream sessions), so no shared cache may keep it.
 */
export declare function mergeCacheHints(hints: readonly (CacheHint | undefined)[]): Required<CacheHint>;
/**
 * The cache hint of one merged list served from `pools`: every server of
 * every pool counts, each with what it said of that list when its catalog
 * was last fetched, less the time since (so the answer promises no longer
 * than the server did). A server that said nothing of the list (a legacy
 * server, one that never connected, or one without that list) makes the
 * answer `{ ttlMs: 0, cacheScope: 'private' }`.
 */
export declare function catalogCacheHint(pools: readonly ServerPool[], list: CatalogList, now?: number): Required<CacheHint>;
//# sourceMappingURL=cache-hints.d.ts.map