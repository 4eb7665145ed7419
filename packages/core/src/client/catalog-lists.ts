import { CatalogIndex } from '../catalog/catalog-index.js';
import type { CatalogList, ServerCatalog } from '../spec/catalog.js';
import type { ServerView } from '../spec/server.js';

/** Fetches every page of a list from one server. */
export function allPages(
  key: string,
  attempt: (params: unknown) => Promise<unknown>,
): Promise<unknown[]> {
  return (async () => {
    const items: unknown[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const result = (await attempt(cursor ? { cursor } : {})) as Record<string, unknown>;
      items.push(...((result[key] as unknown[] | undefined) ?? []));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    return items;
  })();
}

/**
 * Merges one list (tools, prompts, ...) fetched live from several servers
 * under the pool's naming rules, as the pool's own catalog would.
 */
export function mergeLists<T>(
  naming: Pick<CatalogIndex, 'separator' | 'policy'>,
  key: CatalogList,
  select: (index: CatalogIndex, include: (id: string) => boolean) => T[],
): (results: ReadonlyArray<{ server: ServerView; value: unknown }>) => T[] {
  return (results) => {
    const index = new CatalogIndex({ separator: naming.separator, policy: naming.policy });
    for (const { server, value } of results) {
      const catalog: ServerCatalog = {
        tools: [],
        resources: [],
        resourceTemplates: [],
        prompts: [],
        fetchedAt: 0,
      };
      (catalog[key] as unknown[]) = value as unknown[];
      index.set(server.id, catalog);
    }
    return select(index, () => true);
  };
}
