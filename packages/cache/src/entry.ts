/** What the cache stores for one kind of request; each kind has its own TTL. */
export type CacheKind = 'catalog' | 'resource' | 'prompt' | 'tool';

/** What the cache knows about where an entry came from, to drop it when that source changes. */
export interface EntryMeta {
  readonly method: string;
  readonly kind: CacheKind;
  /** The server the call was pinned to (`CallOptions.server`), or null. */
  readonly scope: string | null;
  /**
   * Servers whose answers went into the value. Null when unknown, and for the
   * merged catalog, which depends on every server.
   */
  readonly servers: readonly string[] | null;
  /** The resource URI of a `resources/read`. */
  readonly uri?: string | undefined;
}

/** One stored answer, as JSON in the store. */
export interface StoredRecord {
  readonly v: 1;
  readonly value: unknown;
  readonly meta: EntryMeta;
  /** When the upstream call that produced the value started (ms since epoch). */
  readonly fetchedAt: number;
  /** Served as fresh until then. */
  readonly freshUntil: number;
  /** Served stale (while a refresh runs) until then. */
  readonly staleUntil: number;
  /** Set when the server marked the answer `cacheScope: 'private'`: the only context served. */
  readonly partition?: string | undefined;
}

/** The 2026-07-28 cache hints a result carries (`ttlMs`, `cacheScope`), when it carries them. */
export function cacheHints(value: unknown): { ttlMs?: number; scope?: 'public' | 'private' } {
  if (typeof value !== 'object' || value === null) return {};
  const { ttlMs, cacheScope } = value as { ttlMs?: unknown; cacheScope?: unknown };
  return {
    ...(typeof ttlMs === 'number' && Number.isFinite(ttlMs) ? { ttlMs } : {}),
    ...(cacheScope === 'public' || cacheScope === 'private' ? { scope: cacheScope } : {}),
  };
}

/** Parses a stored record; undefined for anything that is not one (old format, corrupt, foreign). */
export function decodeRecord(raw: string): StoredRecord | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const r = parsed as Partial<StoredRecord>;
  const meta = r.meta as Partial<EntryMeta> | undefined;
  if (
    r.v !== 1 ||
    !('value' in r) ||
    typeof r.fetchedAt !== 'number' ||
    typeof r.freshUntil !== 'number' ||
    typeof r.staleUntil !== 'number' ||
    !(r.partition === undefined || typeof r.partition === 'string') ||
    typeof meta !== 'object' ||
    meta === null ||
    typeof meta.method !== 'string' ||
    typeof meta.kind !== 'string' ||
    !(meta.scope === null || typeof meta.scope === 'string') ||
    !(meta.servers === null || Array.isArray(meta.servers))
  ) {
    return undefined;
  }
  return r as StoredRecord;
}
