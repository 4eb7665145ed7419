/*
 * Over 350 lines, one class on purpose: the flights in progress, the store,
 * the invalidation index and the figures change together on every call, and
 * a split would hand that state from file to file. What can stand alone lives beside it:
 * the options (options.ts), which requests are cached (plan.ts), a flight and
 * its answer (flight.ts), keys (cache-key.ts) and invalidation (invalidation.ts).
 */
import type { CallContext, CallMiddleware, MultiServerClient, PoolEvents } from '@mcpool/core';
import { abortReason, untilAborted } from '@mcpool/core/internal';
import { LRUCache } from 'lru-cache';
import {
  type CacheKind,
  cacheHints,
  decodeRecord,
  type EntryMeta,
  type StoredRecord,
} from './entry.js';
import { copyOf, type Flight, isPromise, type Resolution, storable } from './flight.js';
import { InvalidationLog, type InvalidationRule, ruleMatches } from './invalidation.js';
import { memoryStore } from './memory-store.js';
import {
  type CacheHandle,
  type CacheMetrics,
  type CacheOperation,
  type CacheOptions,
  DEFAULT_TTL,
  validateCacheOptions,
} from './options.js';
import { CATALOG_METHODS, CachePlanner, LIST_CHANGED, type Plan } from './plan.js';
import type { CacheStore, MaybePromise } from './store.js';

/** Most entries whose origin this process remembers for targeted invalidation. */
const INDEX_LIMIT = 50_000;

/** The key of a call in flight: its cache key, apart per authorization context. */
function flightKeyOf(key: string, partition: string): string {
  return partition === '' ? key : `${key}\u0000${partition}`;
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
  validateCacheOptions(options);
  return new ResponseCache(client, options);
}

class ResponseCache implements CacheHandle {
  private readonly store: CacheStore;
  private readonly ownsStore: boolean;
  private readonly ttl: Record<CacheKind, number>;
  private readonly swr: number;
  private readonly maxEntryBytes: number;
  private readonly storeTimeout: number;
  private readonly planner: CachePlanner;
  private readonly now: () => number;
  private readonly onError: ((error: unknown, operation: CacheOperation) => void) | undefined;
  private readonly index: LRUCache<string, EntryMeta>;
  private readonly log: InvalidationLog;
  private readonly flights = new Map<string, Flight>();
  /** The authorization context of a call; `private` answers are served within it only. */
  private readonly partitionOf: (context: CallContext) => string;
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
    this.partitionOf = options.partition ?? (() => '');
    this.maxEntryBytes = options.maxEntryBytes ?? 1024 * 1024;
    this.storeTimeout = options.storeTimeout ?? 250;
    this.planner = new CachePlanner(
      client.pool,
      this.ttl,
      new Set(options.readOnlyTools ?? []),
      new Set(options.noCacheTools ?? []),
      options.trustAnnotations ?? true,
    );
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
    const plan = this.closed ? undefined : this.planner.plan(context);
    return plan ? this.cached(plan, context, next) : next(context);
  };

  private async cached(
    plan: Plan,
    context: CallContext,
    next: (context: CallContext) => Promise<unknown>,
  ): Promise<unknown> {
    for (;;) {
      // Calls of different contexts never share one answer in flight: it may be private.
      const flightKey = flightKeyOf(plan.key, this.partitionOf(context));
      let flight = this.flights.get(flightKey);
      const leader = flight === undefined;
      if (!flight) flight = this.startFlight(plan, flightKey, context, next);
      let resolution: Resolution;
      try {
        resolution = await untilAborted(flight.promise, context.signal, (s) =>
          abortReason(s, plan.description),
        );
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
    flightKey: string,
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
    this.flights.set(flightKey, flight);
    const forget = () => {
      if (this.flights.get(flightKey) === flight) this.flights.delete(flightKey);
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
    const servable =
      found !== undefined &&
      (found.record.partition === undefined ||
        found.record.partition === this.partitionOf(context));
    if (found && servable && !flight.invalidated) {
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
    context.answeredBy?.push(...answeredBy);
    const servers = new Set(answeredBy);
    const meta: EntryMeta = {
      ...plan.meta,
      servers: servers.size > 0 ? [...servers] : null,
    };
    // A server's own hints (2026-07-28) shorten the kind's TTL; ttlMs ≤ 0 means already stale.
    const hints = cacheHints(value);
    const ttl = hints.ttlMs === undefined ? plan.ttl : Math.min(plan.ttl, hints.ttlMs);
    if (flight.invalidated || this.closed || !storable(value) || !(ttl > 0)) {
      this.counts.notStored++;
      return { source: 'miss', value, json: undefined };
    }
    const record: StoredRecord = {
      v: 1,
      value,
      meta,
      fetchedAt,
      freshUntil: fetchedAt + ttl,
      staleUntil: fetchedAt + ttl + this.swr,
      ...(hints.scope === 'private' ? { partition: this.partitionOf(context) } : {}),
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
    flight.write = this.write(plan.key, json, record, ttl + this.swr, flight);
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
