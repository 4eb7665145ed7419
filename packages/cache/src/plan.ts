import type { CallContext, RequestInfo, ServerPool } from '@mcpool/core';
import { cacheKey } from './cache-key.js';
import type { CacheKind, EntryMeta } from './entry.js';

export const CATALOG_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
]);

export const KIND_OF: Readonly<Record<string, CacheKind>> = {
  'tools/list': 'catalog',
  'resources/list': 'catalog',
  'resources/templates/list': 'catalog',
  'prompts/list': 'catalog',
  'resources/read': 'resource',
  'prompts/get': 'prompt',
  'tools/call': 'tool',
};

/** What a `*_list_changed` notification makes stale: that kind's lists and that kind's answers. */
export const LIST_CHANGED: Readonly<Record<string, ReadonlySet<string>>> = {
  'notifications/tools/list_changed': new Set(['tools/list', 'tools/call']),
  'notifications/resources/list_changed': new Set([
    'resources/list',
    'resources/templates/list',
    'resources/read',
  ]),
  'notifications/prompts/list_changed': new Set(['prompts/list', 'prompts/get']),
};

/** How one request is cached: its key, time to live and what invalidates it. */
export interface Plan {
  readonly key: string;
  readonly ttl: number;
  readonly meta: EntryMeta;
  readonly description: string;
}

/** Decides which requests are cached and under which key. */
export class CachePlanner {
  constructor(
    private readonly pool: Pick<ServerPool, 'catalog'>,
    private readonly ttl: Record<CacheKind, number>,
    private readonly readOnlyTools: ReadonlySet<string>,
    private readonly noCacheTools: ReadonlySet<string>,
    private readonly trustAnnotations: boolean,
  ) {}

  /** How to cache a request, or undefined when it must not be cached. */
  plan(context: CallContext): Plan | undefined {
    const { request } = context;
    const kind = KIND_OF[request.method];
    if (kind === undefined) return undefined;
    if (kind === 'tool' && !this.isReadOnly(request, context.server)) return undefined;
    const ttl = this.ttl[kind];
    if (!(ttl > 0)) return undefined;
    const scope = context.server ?? null;
    const uri =
      request.method === 'resources/read'
        ? (request.params as { uri?: unknown } | undefined)?.uri
        : undefined;
    return {
      key: cacheKey(request, scope, context.aggregation.fanOut ? context.aggregation.name : null),
      ttl,
      meta: {
        method: request.method,
        kind,
        scope,
        servers: null,
        ...(typeof uri === 'string' ? { uri } : {}),
      },
      description: request.target ? `${request.method} "${request.target}"` : request.method,
    };
  }

  /** Configuration first (`noCacheTools` wins), then the tool's own `readOnlyHint`. */
  private isReadOnly(request: RequestInfo, server: string | undefined): boolean {
    const upstream = (request.params as { name?: unknown } | undefined)?.name;
    if (typeof upstream !== 'string') return false;
    const spelled = request.target ?? upstream;
    if (this.noCacheTools.has(spelled) || this.noCacheTools.has(upstream)) return false;
    if (this.readOnlyTools.has(spelled) || this.readOnlyTools.has(upstream)) return true;
    if (!this.trustAnnotations) return false;
    const catalog = this.pool.catalog;
    const tool =
      server !== undefined
        ? (catalog.get(server)?.tools.find((t) => t.name === upstream) ?? catalog.findTool(spelled))
        : catalog.findTool(spelled);
    return tool?.annotations?.readOnlyHint === true;
  }
}
