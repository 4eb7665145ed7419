import {
  AbortedError,
  type CallContext,
  type CallMiddleware,
  type ConfigIssue,
  InvalidConfigError,
  McpoolError,
  type MultiServerClient,
  type PoolEvents,
  type RequestInfo,
} from '@mcpool/core';
import { LRUCache } from 'lru-cache';
import { cacheKey } from './cache-key.js';
import { type CacheKind, decodeRecord, type EntryMeta, type StoredRecord } from './entry.js';
import { InvalidationLog, type InvalidationRule, ruleMatches } from './invalidation.js';
import { memoryStore } from './memory-store.js';
import type { CacheStore, MaybePromise } from './store.js';

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

const CATALOG_METHODS: ReadonlySet<string> = new Set([
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'prompts/list',
]);

const KIND_OF: Readonly<Record<string, CacheKind>> = {
  'tools/list': 'catalog',
  'resources/list': 'catalog',
  'resources/templates/list': 'catalog',
  'prompts/list': 'catalog',
  'resources/read': 'resource',
  'prompts/get': 'prompt',
  'tools/call': 'tool',
};

/** What a `*_list_changed` notification makes stale: that kind's lists and that kind's answers. */
const LIST_CHANGED: Readonly<Record<string, ReadonlySet<string>>> = {
  'notifications/tools/list_changed': new Set(['tools/list', 'tools/call']),
  'notifications/resources/list_changed': new Set([
    'resources/list',
    'resources/templates/list',
    'resources/read',
  ]),
  'notifications/prompts/list_changed': new Set(['prompts/list', 'prompts/get']),
};

const DEFAULT_TTL: Required<{ [K in keyof CacheTtl]: number }> = {
  catalog: 60_000,
  resource: 30_000,
  prompt: 60_000,
  tool: 10_000,
};

/** Most entries whose origin this process remembers for targeted invalidation. */
const INDEX_LIMIT = 50_000;

interface Plan {
  readonly key: string;
  readonly ttl: number;
  readonly meta: EntryMeta;
  readonly description: string;
}

interface Resolution {
  readonly source: 'hit' | 'stale' | 'miss';
  readonly value: unknown;
  /** The stored record's JSON, to hand every waiter its own copy. */
  readonly json: string | undefined;
}

interface Flight {
  promise: Promise<Resolution>;
  /** An invalidation covered this entry while it was in flight: its answer must not be stored. */
  invalidated: boolean;
  readonly meta: EntryMeta;
  readonly leaderSignal: AbortSignal | undefined;
  /** The store write of the answer; the flight stays joinable until it ends. */
  write: Promise<void> | undefined;
}

/**
 * Installs a response cache on a client: catalog lists, resource reads, prompt
 * gets and calls of read-only tools are answered from the cache while fresh,
 * identical concurrent calls share one upstream call, and entries are dropped
 * when their server says its lists or a resource changed, or leaves the pool.
 *
 * ```ts
 * const cache = withCache(client, { ttl: { tool: 5_000 } });
 * await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }); // upstream
 * await client.callTool({ name: 'add', arguments: { b: 2, a: 1 } }); // cache hit
 * await cache.close();
 * ```
 */
export function withCache(client: MultiServerClient, options: CacheOptions = {}): CacheHandle {
  validate(options);
  return new ResponseCache(client, options);
}

class ResponseCache implements CacheHandle {
  private readonly store: CacheStore;
  private readonly ownsStore: boolean;
  private readonly ttl: Record<CacheKind, number>;
  private readonly swr: number;
  private readonly maxEntryBytes: number;
  private readonly storeTimeout: number;
  private readonly readOnlyTools: ReadonlySet<string>;
  private readonly noCacheTools: ReadonlySet<string>;
  private readonly trustAnnotations: boolean;
  private readonly now: () => number;
  private readonly onError: ((error: unknown, operation: CacheOperation) => void) | undefined;
  private readonly index: LRUCache<string, EntryMeta>;
  private readonly log: InvalidationLog;
  private readonly flights = new Map<string, Flight>();
  private readonly refreshing = new Map<string, Flight>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly removeMiddleware: () => void;
  private readonly unlisten: (() => void)[] = [];
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly counts = {
    hits: 0,
    staleHits: 0,
    misses: 0,
    coalesced: 0,
    stored: 0,
    notStored: 0,
    invalidated: 0,
    refreshes: 0,
    errors: 0,
  };

  constructor(
    private readonly client: MultiServerClient,
    options: CacheOptions,
  ) {
    this.ownsStore = options.closeStore ?? options.store === undefined;
    this.store =
      options.store ?? memoryStore({ maxEntries: options.maxEntries, maxBytes: options.maxBytes });
    this.ttl = {
      catalog: options.ttl?.catalog ?? DEFAULT_TTL.catalog,
      resource: options.ttl?.resource ?? DEFAULT_TTL.resource,
      prompt: options.ttl?.prompt ?? DEFAULT_TTL.prompt,
      tool: options.ttl?.tool ?? DEFAULT_TTL.tool,
    };
    this.swr = options.staleWhileRevalidate ?? 0;
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.storeTimeout = options.storeTimeout ?? 250;
    this.readOnlyTools = new Set(options.readOnlyTools ?? []);
    this.noCacheTools = new Set(options.noCacheTools ?? []);
    this.trustAnnotations = options.trustAnnotations ?? true;
    this.now = options.now ?? Date.now;
    this.onError = options.onError;
    const horizon = Math.max(...Object.values(this.ttl)) + this.swr;
    this.index = new LRUCache({ max: INDEX_LIMIT });
    this.log = new InvalidationLog(horizon);

    const _pool = client.pool;
    this.listen('server:notification', ({ serverId, notification }) => {
      const methods = LIST_CHANGED[notification.method];
      if (methods) {
        this.invalidate({ methods, server: serverId });
      } else if (notification.method === 'notifications/resources/updated') {
        const uri = (notification.params as { uri?: unknown } | undefined)?.uri;
        if (typeof uri === 'string') this.invalidate({ methods: new Set(['resources/read']), uri });
      }
    });
    // A refreshed server catalog changes the merged lists and that server's own.
    this.listen('catalog:changed', ({ serverId }) => {
      this.invalidate({ methods: CATALOG_METHODS, server: serverId });
    });
    // The merged lists show only healthy servers.
    const onHealth = () => this.invalidate({ methods: CATALOG_METHODS, unpinnedOnly: true });
    this.listen('server:healthy', onHealth);
    this.listen('server:unhealthy', onHealth);
    this.listen('server:removed', ({ serverId }) => this.invalidate({ server: serverId }));
    this.removeMiddleware = client.use(this.middleware);
  }

  private listen<K extends keyof PoolEvents>(
    event: K,
    listener: (...args: PoolEvents[K]) => void,
  ): void {
    const pool = this.client.pool;
    const fn = listener as never;
    pool.on(event, fn);
    this.unlisten.push(() => {
      pool.off(event, fn);
    });
  }

  private readonly middleware: CallMiddleware = (context, next) => {
    const plan = this.plan(context);
    return plan ? this.cached(plan, context, next) : next(context);
  };

  /** How to cache a request, or undefined when it must not be cached. */
  private plan(context: CallContext): Plan | undefined {
    if (this.closed) return undefined;
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
    const catalog = this.client.pool.catalog;
    const tool =
      server !== undefined
        ? (catalog.get(server)?.tools.find((t) => t.name === upstream) ?? catalog.findTool(spelled))
        : catalog.findTool(spelled);
    return tool?.annotations?.readOnlyHint === true;
  }

  private async cached(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
  ): Promise<unknown> {
    for (;;) {
      let flight = this.flights.get(plan.key);
      const leader = flight === undefined;
      if (!flight) flight = this.startFlight(plan, context, next);
      let resolution: Resolution;
      try {
        resolution = await raceSignal(flight.promise, context.signal, plan.description);
      } catch (error) {
        // The call we joined belonged to a caller who gave up; ours has not: go again.
        if (!leader && flight.leaderSignal?.aborted && !context.signal?.aborted) continue;
        if (!context.signal?.aborted) {
          if (leader) this.counts.misses++;
          else this.counts.coalesced++;
        }
        throw error;
      }
      if (resolution.source === 'hit') this.counts.hits++;
      else if (resolution.source === 'stale') this.counts.staleHits++;
      else if (leader) this.counts.misses++;
      else this.counts.coalesced++;
      // The leader holds the only reference to its value; everyone else gets a copy.
      return leader ? resolution.value : copyOf(resolution);
    }
  }

  private startFlight(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
  ): Flight {
    const flight: Flight = {
      promise: undefined as unknown as Promise<Resolution>,
      invalidated: false,
      meta: plan.meta,
      leaderSignal: context.signal,
      write: undefined,
    };
    this.flights.set(plan.key, flight);
    const forget = () => {
      if (this.flights.get(plan.key) === flight) this.flights.delete(plan.key);
    };
    flight.promise = this.resolve(plan, context, next, flight);
    flight.promise.then(() => (flight.write ?? Promise.resolve()).finally(forget), forget);
    return flight;
  }

  private async resolve(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
    flight: Flight,
  ): Promise<Resolution> {
    const found = await this.lookup(plan.key);
    if (found && !flight.invalidated) {
      const now = this.now();
      if (now < found.record.freshUntil)
        return { source: 'hit', value: found.record.value, json: found.json };
      if (now < found.record.staleUntil) {
        this.refresh(plan, context, next);
        return { source: 'stale', value: found.record.value, json: found.json };
      }
    }
    return this.fetch(plan, context, next, flight);
  }

  /** The entry under `key` if it is usable at all (fresh or within its stale window). */
  private async lookup(key: string): Promise<{ record: StoredRecord; json: string } | undefined> {
    let raw: string | undefined;
    try {
      raw = await this.bounded(this.store.get(key), 'get');
    } catch (error) {
      this.failed(error, 'get');
      return undefined;
    }
    if (raw === undefined || raw === null) return undefined;
    const record = decodeRecord(raw);
    // Entries this process knows were dropped at once on every invalidation it saw; others
    // (written by another replica) are checked against the log of recent invalidations.
    if (
      !record ||
      this.now() >= record.staleUntil ||
      (!this.index.has(key) && this.log.covers(record.meta, record.fetchedAt))
    ) {
      this.drop(key);
      return undefined;
    }
    this.index.set(key, record.meta, { ttl: Math.max(1, record.staleUntil - this.now()) });
    return { record, json: raw };
  }

  /** Calls upstream and stores the answer when it may be cached. */
  private async fetch(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
    flight: Flight,
  ): Promise<Resolution> {
    const fetchedAt = this.now();
    // The call's context says which servers answered; one list per upstream call.
    const answeredBy: string[] = [];
    const value = await next({ ...context, answeredBy });
    context.answeredBy.push(...answeredBy);
    const servers = new Set(answeredBy);
    const meta: EntryMeta = {
      ...plan.meta,
      servers: servers.size > 0 ? [...servers] : null,
    };
    if (flight.invalidated || this.closed || !storable(value)) {
      this.counts.notStored++;
      return { source: 'miss', value, json: undefined };
    }
    const record: StoredRecord = {
      v: 1,
      value,
      meta,
      fetchedAt,
      freshUntil: fetchedAt + plan.ttl,
      staleUntil: fetchedAt + plan.ttl + this.swr,
    };
    let json: string;
    try {
      json = JSON.stringify(record);
    } catch (error) {
      // Not JSON (cannot come from a server, but a middleware further in may add anything).
      this.counts.notStored++;
      this.failed(error, 'set');
      return { source: 'miss', value, json: undefined };
    }
    if (Buffer.byteLength(json, 'utf8') > this.maxEntryBytes) {
      this.counts.notStored++;
      return { source: 'miss', value, json };
    }
    flight.write = this.write(plan.key, json, record, plan.ttl + this.swr, flight);
    return { source: 'miss', value, json };
  }

  private async write(
    key: string,
    json: string,
    record: StoredRecord,
    ttlMs: number,
    flight: Flight,
  ): Promise<void> {
    const done = (async () => {
      try {
        await this.bounded(this.store.set(key, json, ttlMs), 'set');
      } catch (error) {
        this.failed(error, 'set');
        return;
      }
      // Invalidated while the write was on its way: undo it.
      if (flight.invalidated || this.closed) {
        this.counts.notStored++;
        this.drop(key);
        return;
      }
      this.counts.stored++;
      this.index.set(key, record.meta, { ttl: Math.max(1, record.staleUntil - this.now()) });
    })();
    this.track(done);
    await done;
  }

  /** Refreshes a stale entry in the background, once per key at a time. */
  private refresh(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
  ): void {
    if (this.refreshing.has(plan.key) || this.closed) return;
    const flight: Flight = {
      promise: undefined as unknown as Promise<Resolution>,
      invalidated: false,
      meta: plan.meta,
      leaderSignal: undefined,
      write: undefined,
    };
    this.refreshing.set(plan.key, flight);
    this.counts.refreshes++;
    flight.promise = this.fetch(plan, context, next, flight);
    const done = flight.promise
      .then(() => flight.write)
      .catch((error: unknown) => this.failed(error, 'refresh'))
      .finally(() => {
        if (this.refreshing.get(plan.key) === flight) this.refreshing.delete(plan.key);
      });
    this.track(done);
  }

  /** Drops every entry `rule` covers: known keys now, others when next read. */
  private invalidate(rule: InvalidationRule): void {
    if (this.closed) return;
    this.log.add(rule, this.now());
    for (const [key, meta] of this.index.entries()) {
      if (!ruleMatches(rule, meta)) continue;
      this.counts.invalidated++;
      this.drop(key);
    }
    for (const flights of [this.flights, this.refreshing]) {
      for (const [key, flight] of flights) {
        if (!ruleMatches(rule, flight.meta)) continue;
        flight.invalidated = true;
        // Later callers must not join an answer that may predate the change.
        if (flights === this.flights) flights.delete(key);
      }
    }
  }

  private drop(key: string): void {
    this.index.delete(key);
    let result: MaybePromise<void>;
    try {
      result = this.store.delete(key);
    } catch (error) {
      this.failed(error, 'delete');
      return;
    }
    if (isPromise(result)) {
      this.track(
        this.bounded(result, 'delete').catch((error: unknown) => this.failed(error, 'delete')),
      );
    }
  }

  /** Bounds a store operation in time so a hung store cannot hold calls up. */
  private bounded<T>(value: MaybePromise<T>, operation: CacheOperation): Promise<T> {
    if (!isPromise(value)) return Promise.resolve(value);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `Cache store "${this.store.name}" did not complete ${operation} within ${this.storeTimeout} ms.`,
            ),
          ),
        this.storeTimeout,
      );
      timer.unref();
      value.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  private failed(error: unknown, operation: CacheOperation): void {
    this.counts.errors++;
    if (!this.onError) return;
    try {
      this.onError(error, operation);
    } catch (listenerError) {
      this.client.pool.emit('pool:error', { source: 'cache onError', error: listenerError });
    }
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  metrics(): CacheMetrics {
    const stats = this.store.stats?.();
    const c = this.counts;
    const served = c.hits + c.staleHits + c.coalesced;
    const total = served + c.misses;
    return {
      ...c,
      evictions: stats?.evictions ?? 0,
      entries: stats?.entries ?? this.index.size,
      bytes: stats?.bytes,
      hitRate: total === 0 ? 0 : served / total,
    };
  }

  async clear(): Promise<void> {
    this.invalidate({});
    this.index.clear();
    try {
      await this.bounded(this.store.clear(), 'clear');
    } catch (error) {
      this.failed(error, 'clear');
    }
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      this.removeMiddleware();
      for (const off of this.unlisten.splice(0)) off();
      for (const flight of [...this.flights.values(), ...this.refreshing.values()])
        flight.invalidated = true;
      await this.settled();
      if (this.ownsStore) await this.store.close?.();
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Errors and `isError` tool results are answers for this caller only, never cached. */
function storable(value: unknown): boolean {
  if (value === undefined) return false;
  return !(
    typeof value === 'object' &&
    value !== null &&
    (value as { isError?: unknown }).isError === true
  );
}

/** Each waiter gets its own copy, so one caller mutating its answer cannot change another's. */
function copyOf(resolution: Resolution): unknown {
  if (resolution.json === undefined) return structuredClone(resolution.value);
  return (JSON.parse(resolution.json) as StoredRecord).value;
}

function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | undefined)?.then === 'function';
}

/** The error for a caller who aborted: mcpool's own reasons (timeout, closed) as they are. */
function abortError(signal: AbortSignal, what: string): Error {
  return McpoolError.isInstance(signal.reason)
    ? signal.reason
    : new AbortedError(what, signal.reason);
}

/** `promise`, or the caller's abort as soon as `signal` aborts. */
function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function validate(options: CacheOptions): void {
  const issues: ConfigIssue[] = [];
  const nonNegative = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      issues.push({ path, message: 'must be a finite number >= 0' });
  };
  const positiveInt = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
      issues.push({ path, message: 'must be an integer >= 1' });
  };
  const names = (path: string, value: unknown) => {
    if (value === undefined) return;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      issues.push({ path, message: 'must be an array of tool names' });
  };
  positiveInt('maxEntries', options.maxEntries);
  positiveInt('maxBytes', options.maxBytes);
  positiveInt('maxEntryBytes', options.maxEntryBytes);
  positiveInt('storeTimeout', options.storeTimeout);
  nonNegative('staleWhileRevalidate', options.staleWhileRevalidate);
  for (const kind of ['catalog', 'resource', 'prompt', 'tool'] as const)
    nonNegative(`ttl.${kind}`, options.ttl?.[kind]);
  names('readOnlyTools', options.readOnlyTools);
  names('noCacheTools', options.noCacheTools);
  const store = options.store as Partial<CacheStore> | undefined;
  if (
    store !== undefined &&
    (typeof store?.get !== 'function' ||
      typeof store.set !== 'function' ||
      typeof store.delete !== 'function' ||
      typeof store.clear !== 'function')
  ) {
    issues.push({ path: 'store', message: 'must have get, set, delete and clear methods' });
  }
  if (
    options.store !== undefined &&
    (options.maxEntries !== undefined || options.maxBytes !== undefined)
  ) {
    issues.push({
      path: 'maxEntries',
      message: 'bounds the default memory store only; with `store`, bound the store itself',
    });
  }
  if (options.now !== undefined && typeof options.now !== 'function')
    issues.push({ path: 'now', message: 'must be a function returning ms since epoch' });
  if (options.onError !== undefined && typeof options.onError !== 'function')
    issues.push({ path: 'onError', message: 'must be a function' });
  if (issues.length > 0) throw new InvalidConfigError('cache options', issues);
}
