/** The lists a modern client asks for, by method, as the pools' catalogs name them. */
export const CATALOG_LIST_OF = {
    'tools/list': 'tools',
    'prompts/list': 'prompts',
    'resources/list': 'resources',
    'resources/templates/list': 'resourceTemplates',
};
/**
 * The cache hint of a merged answer, from its upstreams' hints: the
 * shortest `ttlMs`, and `public` only when every upstream said `public`.
 * An upstream that gave no hint (every legacy server) makes the answer
 * `{ ttlMs: 0, cacheScope: 'private' }`: the gateway cannot promise for it
 * how long its list stays true, and what a client sees depends on its
 * token (its own upstream sessions), so no shared cache may keep it.
 */
export function mergeCacheHints(hints) {
    let ttlMs = Number.POSITIVE_INFINITY;
    let everyPublic = hints.length > 0;
    for (const hint of hints) {
        if (hint?.ttlMs === undefined || hint.cacheScope === undefined) {
            return { ttlMs: 0, cacheScope: 'private' };
        }
        ttlMs = Math.min(ttlMs, hint.ttlMs);
        everyPublic &&= hint.cacheScope === 'public';
    }
    return {
        ttlMs: Number.isFinite(ttlMs) ? ttlMs : 0,
        cacheScope: everyPublic ? 'public' : 'private',
    };
}
/**
 * The cache hint of one merged list served from `pools`: every server of
 * every pool counts, each with what it said of that list when its catalog
 * was last fetched, less the time since (so the answer promises no longer
 * than the server did). A server that said nothing of the list (a legacy
 * server, one that never connected, or one without that list) makes the
 * answer `{ ttlMs: 0, cacheScope: 'private' }`.
 */
export function catalogCacheHint(pools, list, now = Date.now()) {
    const hints = pools.flatMap((pool) => pool.servers().map((server) => {
        const catalog = pool.catalog.get(server.id);
        const hint = catalog?.cacheHints?.[list];
        if (!catalog || !hint)
            return undefined;
        const left = Math.floor(catalog.fetchedAt + hint.ttlMs - now);
        return { ttlMs: Math.max(0, left), cacheScope: hint.cacheScope };
    }));
    return mergeCacheHints(hints);
}
//# sourceMappingURL=cache-hints.js.map