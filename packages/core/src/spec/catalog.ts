import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';

/** What one server offers, all pages fetched. */
export interface ServerCatalog {
  tools: Tool[];
  resources: Resource[];
  resourceTemplates: ResourceTemplate[];
  prompts: Prompt[];
  /** When each part was fetched (ms since epoch); 0 when the server lacks the capability. */
  fetchedAt: number;
  /**
   * How long each list stays true from `fetchedAt`, as the server said (the 2026-07-28
   * `ttlMs`/`cacheScope` of every page; the shortest `ttlMs`, `public` only when every page
   * said so). A list the server gave no hint for (every legacy server) is absent.
   */
  cacheHints?: CatalogCacheHints | undefined;
}

/** The lists of a server's catalog. */
export type CatalogList = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/** A server's 2026-07-28 cache hint for one list. */
export interface CatalogCacheHint {
  readonly ttlMs: number;
  readonly cacheScope: 'public' | 'private';
}

/** A server's cache hints, by list. */
export type CatalogCacheHints = Partial<Record<CatalogList, CatalogCacheHint>>;

/**
 * How tools (and prompts) that different servers offer under one name appear.
 * - `prefix-on-conflict`: one name while every server agrees on the definition;
 *   `server__name` for each server once they differ.
 * - `always`: every tool is `server__name`.
 * - `reject`: conflicting names are left out and reported; only agreed names are offered.
 */
export type NamespacingPolicy = 'prefix-on-conflict' | 'always' | 'reject';

/** Namespacing options. */
export interface NamespacingOptions {
  /** @default 'prefix-on-conflict' */
  policy?: NamespacingPolicy | undefined;
  /** Between server id and tool name; server ids may not contain it. @default '__' */
  separator?: string | undefined;
}

/** Where a catalog name leads. */
export interface Route {
  /** Servers that offer it, in pool order. */
  readonly servers: readonly string[];
  /** The name to send upstream. */
  readonly upstreamName: string;
}

/** Two or more servers that offer different definitions under one name. */
export interface NameConflict {
  readonly kind: 'tool' | 'prompt';
  readonly name: string;
  readonly servers: readonly string[];
}
