import type { Prompt, Resource, ResourceTemplate, Tool } from '@modelcontextprotocol/sdk/types.js';
import type {
  CatalogCacheHint,
  CatalogCacheHints,
  CatalogList,
  ServerCatalog,
} from '../spec/catalog.js';
import type { Connection } from '../spec/connector.js';
import type { ServerContext } from './pooled-server.js';

/** What a catalog refresh needs of its server. */
interface RefreshedServer {
  readonly id: string;
  readonly state: string;
  readonly context: ServerContext;
  connection(): Connection | Promise<Connection>;
}

/**
 * Keeps one server's part of the pool's catalog fresh: after connecting and
 * after each burst of `list_changed` notifications, one refresh at a time
 * (a change during a refresh runs it again).
 */
export class CatalogRefresh {
  private timer: NodeJS.Timeout | undefined;
  private readonly announced = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private again = false;

  constructor(private readonly server: RefreshedServer) {}

  /**
   * A list_changed arrived: refresh soon. True when it is the first of its
   * kind since the last refresh (worth announcing).
   */
  changed(method: string): boolean {
    this.schedule();
    if (this.announced.has(method)) return false;
    this.announced.add(method);
    return true;
  }

  private schedule(): void {
    // Servers often send several list_changed in a burst; one refresh serves them all.
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.announced.clear();
      this.run().catch(() => {});
    }, 10);
    this.timer.unref();
  }

  /** Resolves when no catalog refresh is pending. */
  async settled(): Promise<void> {
    while (this.refreshing || this.timer) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.announced.clear();
        await this.run();
      } else {
        await this.refreshing;
      }
    }
  }

  /** Fetches the whole catalog (all pages of every list the server supports). */
  run(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.again = false;
        try {
          const catalog = await fetchCatalog(
            await this.server.connection(),
            this.server.context.connectionTimeout,
          );
          if (this.server.state === 'closed') return;
          const conflicts = this.server.context.catalog.set(this.server.id, catalog);
          this.server.context.events.emit('catalog:changed', { serverId: this.server.id });
          for (const conflict of conflicts)
            this.server.context.events.emit('catalog:conflict', conflict);
        } catch (error) {
          this.server.context.events.emit('pool:error', {
            source: 'catalog refresh',
            serverId: this.server.id,
            error,
          });
        }
      } while (this.again);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Stops the pending refresh timer (the server closes). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a refresh in progress has ended. */
  async stopped(): Promise<void> {
    await this.refreshing?.catch(() => {});
  }
}

/** The 2026-07-28 cache hint a list page carries, if it carries a valid one. */
function pageHint(result: Record<string, unknown>): CatalogCacheHint | undefined {
  const { ttlMs, cacheScope } = result;
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 0) return undefined;
  if (cacheScope !== 'public' && cacheScope !== 'private') return undefined;
  return { ttlMs, cacheScope };
}

/**
 * The hint of a whole list from its pages' hints: the shortest `ttlMs`, `public` only when
 * every page said so; none when a page said nothing.
 */
function listHint(pages: readonly (CatalogCacheHint | undefined)[]): CatalogCacheHint | undefined {
  let hint: CatalogCacheHint | undefined;
  for (const page of pages) {
    if (!page) return undefined;
    hint = hint
      ? {
          ttlMs: Math.min(hint.ttlMs, page.ttlMs),
          cacheScope: hint.cacheScope === 'public' ? page.cacheScope : 'private',
        }
      : page;
  }
  return hint;
}

/** Fetches the whole catalog of one server: all pages of every list it supports. */
export async function fetchCatalog(
  connection: Connection,
  timeout: number,
): Promise<ServerCatalog> {
  const caps = connection.serverCapabilities ?? {};
  const cacheHints: CatalogCacheHints = {};
  const all = async <T>(method: string, key: CatalogList): Promise<T[]> => {
    const items: T[] = [];
    const hints: (CatalogCacheHint | undefined)[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const result = (await connection.request(method, cursor ? { cursor } : {}, {
        timeout,
      })) as Record<string, unknown>;
      items.push(...((result[key] as T[] | undefined) ?? []));
      hints.push(pageHint(result));
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (!cursor) break;
    }
    const hint = listHint(hints);
    if (hint) cacheHints[key] = hint;
    return items;
  };
  const [tools, resources, resourceTemplates, prompts] = await Promise.all([
    caps.tools ? all<Tool>('tools/list', 'tools') : [],
    caps.resources ? all<Resource>('resources/list', 'resources') : [],
    caps.resources
      ? all<ResourceTemplate>('resources/templates/list', 'resourceTemplates').catch(() => [])
      : [],
    caps.prompts ? all<Prompt>('prompts/list', 'prompts') : [],
  ]);
  return {
    tools,
    resources,
    resourceTemplates,
    prompts,
    fetchedAt: Date.now(),
    ...(Object.keys(cacheHints).length > 0 ? { cacheHints } : {}),
  };
}
