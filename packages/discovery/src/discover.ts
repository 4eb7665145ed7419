// Over 350 lines for a reason: the resolution loop and the safety rules share
// one state (the applied set, a held removal, the settle timer, the sync queue);
// split apart they would pass that state between files.
import {
  type ConfigIssue,
  InvalidConfigError,
  McpoolError,
  type ServerConfig,
  type ServerPool,
} from '@mcpool/core';
import { canonicalJson } from '@mcpool/core/internal';
import { EventEmitter } from 'eventemitter3';
import { type Clock, systemClock } from './clock.js';
import {
  DiscoveryError,
  DiscoveryStoppedError,
  InvalidEntryError,
  SourceFailedError,
} from './errors.js';
import type { DiscoveryEvents } from './events.js';
import { parseDiscoverOptions } from './options.js';
import type { Resolution, Source } from './source.js';
import { validateEntries } from './validate-entries.js';

/** Options of {@link discover}. Every one is optional. */
export interface DiscoverOptions {
  /** How often a source without `watch()` or `refreshIn` is asked again, ms. @default 30_000 */
  interval?: number | undefined;
  /** Time one `resolve()` may take before it counts as failed, ms. @default 10_000 */
  timeout?: number | undefined;
  /** Retry delay after failures: doubles from `baseMs` up to `maxMs`, half of it jittered, ms. @default { baseMs: 1_000, maxMs: 30_000 } */
  backoff?: { baseMs?: number | undefined; maxMs?: number | undefined } | undefined;
  /**
   * A changed set is applied once the source has kept it for this long, so a
   * flapping record does not churn connections. The first set applies at once. ms.
   * @default 500
   */
  settle?: number | undefined;
  /**
   * A set that would remove more than this share of the pool at once is held
   * and applied only when the next resolution asks for it again.
   * @default 0.5
   */
  maxRemoveRatio?: number | undefined;
  /** A set with fewer servers than this is applied only if it removes nothing. @default 1 */
  minServers?: number | undefined;
  /** After a held removal, ask the source again this soon, ms. @default 1_000 */
  confirmAfter?: number | undefined;
  /**
   * Servers kept in the pool whatever the source reports (a configuration
   * file's own servers). A discovered server with one of their ids is skipped.
   * @default []
   */
  include?: readonly ServerConfig[] | undefined;
  /** Timers and time; tests pass their own. @default the system clock, unref'd timers */
  clock?: Clock | undefined;
  /** Stops discovery when aborted, like `stop()`. */
  signal?: AbortSignal | undefined;
}

/** A running discovery: the pool follows `source` until `stop()`. */
export interface Discovery extends EventEmitter<DiscoveryEvents> {
  readonly source: Source;
  /** Resolves once the first set is in the pool. Rejects if discovery stops first or `signal` aborts. */
  ready(signal?: AbortSignal): Promise<void>;
  /** True once a set has been applied: the gateway's readiness gate. */
  resolved(): boolean;
  /** The servers discovery last gave the pool. */
  current(): readonly ServerConfig[];
  /** Stops watching and polling; waits for a change being applied. The pool keeps its servers. */
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Keeps `pool` in step with what `source` reports, through `pool.sync()`:
 * new servers are added, gone ones drained (in-flight calls finish, up to the
 * pool's `drainTimeout`) and removed. A failing source never empties the pool.
 * Discovery owns the pool's membership: servers added by hand are removed on
 * the first set.
 */
export function discover(
  pool: ServerPool,
  source: Source,
  options: DiscoverOptions = {},
): Discovery {
  return new DiscoveryRunner(pool, source, options);
}

class DiscoveryRunner extends EventEmitter<DiscoveryEvents> implements Discovery {
  private readonly options: ReturnType<typeof parseDiscoverOptions>;
  private readonly clock: Clock;
  private readonly include: readonly ServerConfig[];
  private readonly abort = new AbortController();
  private applied: Map<string, ServerConfig> | undefined;
  private held = false;
  private failures = 0;
  private pollTimer: unknown;
  private settleTimer: unknown;
  private confirmTimer: unknown;
  private latest: ServerConfig[] | undefined;
  /** The set waiting to be synced while another sync runs: only the newest matters. */
  private wanted: ServerConfig[] | undefined;
  private applying: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private settleReady!: (error?: Error) => void;
  private isResolved = false;

  constructor(
    private readonly pool: ServerPool,
    readonly source: Source,
    options: DiscoverOptions,
  ) {
    super();
    this.options = parseDiscoverOptions(options);
    this.clock = options.clock ?? systemClock;
    this.include = options.include ?? [];
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.settleReady = (error) => (error ? reject(error) : resolve());
    });
    // Nobody may ever call ready(): its rejection on stop() is not an unhandled one.
    this.readyPromise.catch(() => {});
    const signal = options.signal;
    if (signal?.aborted) {
      void this.stop();
      return;
    }
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    if (source.watch) {
      source.watch(
        {
          update: (resolution) => this.onResolution(resolution),
          error: (error) => this.report(error),
        },
        this.abort.signal,
      );
    } else {
      void this.poll();
    }
  }

  resolved(): boolean {
    return this.isResolved;
  }

  current(): readonly ServerConfig[] {
    return [...(this.applied?.values() ?? [])];
  }

  async ready(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.readyPromise;
    signal.throwIfAborted();
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([this.readyPromise, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async stop(): Promise<void> {
    if (!this.abort.signal.aborted) {
      this.abort.abort(new DiscoveryStoppedError());
      for (const t of [this.pollTimer, this.settleTimer, this.confirmTimer])
        this.clock.clearTimeout(t);
      this.settleReady(new DiscoveryStoppedError());
    }
    await this.applying;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Asks a source without watch(); the next ask follows the TTL, the interval or the backoff. */
  private async poll(): Promise<void> {
    if (this.stopped) return;
    let next = this.options.interval;
    try {
      const resolution = await this.resolveOnce();
      if (this.stopped) return;
      this.failures = 0;
      this.onResolution(resolution);
      next = resolution.refreshIn ?? this.options.interval;
    } catch (error) {
      if (this.stopped) return;
      this.report(error);
      next = this.backoffDelay();
    }
    this.pollTimer = this.clock.setTimeout(() => void this.poll(), next);
  }

  private async resolveOnce(): Promise<Resolution> {
    const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeout)]);
    try {
      return await this.source.resolve(signal);
    } catch (error) {
      if (signal.aborted && !this.stopped)
        throw new SourceFailedError(
          this.source.name,
          `no answer within ${this.options.timeout} ms`,
          {
            cause: error,
          },
        );
      throw error;
    }
  }

  private backoffDelay(): number {
    this.failures++;
    const { baseMs, maxMs } = this.options.backoff;
    const ceiling = Math.min(maxMs, baseMs * 2 ** (this.failures - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private report(error: unknown): void {
    if (this.stopped) return;
    const wrapped = DiscoveryError.isInstance(error)
      ? error
      : new SourceFailedError(this.source.name, describe(error), { cause: error });
    this.safeEmit('discovery:error', { source: this.source.name, error: wrapped });
  }

  private onResolution(resolution: Resolution): void {
    if (this.stopped) return;
    const { servers, issues } = this.checked(resolution);
    if (issues.length > 0) this.report(new InvalidEntryError(this.source.name, issues));
    if (!this.applied) {
      this.decide(servers);
      return;
    }
    const unchanged = this.latest !== undefined && sameSet(toMap(this.latest), servers);
    this.latest = servers;
    if (this.options.settle <= 0) {
      this.decide(servers);
      return;
    }
    // Damping: every different report restarts the wait; the set applied is the one that lasted.
    if (unchanged && this.settleTimer !== undefined) return;
    this.clock.clearTimeout(this.settleTimer);
    this.settleTimer = this.clock.setTimeout(() => {
      this.settleTimer = undefined;
      if (this.latest) this.decide(this.latest);
    }, this.options.settle);
  }

  /** The always-included servers first, so their ids win over discovered ones. */
  private checked(resolution: Resolution) {
    const include = this.include;
    if (include.length === 0) return validateEntries(resolution.entries);
    return validateEntries([
      ...include.map((config, i) => ({ config, origin: `include[${i}]` })),
      ...resolution.entries,
    ]);
  }

  /** The safety rules: what may reach the pool, what waits for a repeat, what never goes. */
  private decide(servers: ServerConfig[]): void {
    if (this.stopped) return;
    const current = this.applied ?? new Map<string, ServerConfig>();
    const ids = new Set(servers.map((s) => s.id));
    const removed = [...current.keys()].filter((id) => !ids.has(id));
    if (servers.length < this.options.minServers && (removed.length > 0 || !this.applied)) {
      this.safeEmit('discovery:held', { reason: 'minServers', removed, servers: servers.length });
      return;
    }
    if (current.size > 0 && removed.length / current.size > this.options.maxRemoveRatio) {
      if (!this.held) {
        this.held = true;
        this.safeEmit('discovery:held', {
          reason: 'maxRemoveRatio',
          removed,
          servers: servers.length,
        });
        this.confirm();
        return;
      }
    }
    this.held = false;
    if (this.applied && sameSet(current, servers)) return;
    this.apply(servers);
  }

  /** A held removal is asked again soon rather than at the next interval. */
  private confirm(): void {
    this.clock.clearTimeout(this.confirmTimer);
    this.confirmTimer = this.clock.setTimeout(() => {
      this.resolveOnce().then(
        (resolution) => {
          if (this.stopped || !this.held) return;
          const { servers } = this.checked(resolution);
          this.decide(servers);
        },
        (error) => this.report(error),
      );
    }, this.options.confirmAfter);
  }

  private apply(servers: ServerConfig[]): void {
    this.wanted = servers;
    this.applying ??= this.drainQueue().finally(() => {
      this.applying = undefined;
    });
  }

  /** One sync at a time: a sync waits for drains, and a stale one must never undo a newer one. */
  private async drainQueue(): Promise<void> {
    while (this.wanted && !this.stopped) {
      const servers = this.wanted;
      this.wanted = undefined;
      try {
        await this.sync(servers);
      } catch (error) {
        if (McpoolError.isInstance(error) && error.code === 'POOL_CLOSED') {
          await this.stop();
          return;
        }
        this.report(error);
      }
    }
  }

  /**
   * Adds first, then removes: the new servers take calls while the old ones
   * drain. Each step is one `pool.sync()`.
   */
  private async sync(wanted: ServerConfig[]): Promise<void> {
    let servers = wanted;
    const before = this.applied ?? new Map<string, ServerConfig>();
    const ids = new Set(servers.map((s) => s.id));
    const leaving = [...before.values()].filter((s) => !ids.has(s.id));
    let first: { added: string[]; updated: string[] };
    try {
      first = await this.pool.sync([...servers, ...leaving]);
    } catch (error) {
      // The pool's own checks (the namespacing separator) reject the whole set: drop the named entries and go on.
      if (!(error instanceof InvalidConfigError)) throw error;
      const bad = badIndexes(error.issues);
      this.report(new InvalidEntryError(this.source.name, error.issues));
      servers = servers.filter((_, i) => !bad.has(i));
      if (servers.length === 0) return;
      first = await this.pool.sync([...servers, ...leaving]);
    }
    this.applied = new Map(servers.map((s) => [s.id, s]));
    if (!this.isResolved) {
      this.isResolved = true;
      this.settleReady();
    }
    const second = leaving.length > 0 ? await this.pool.sync(servers) : { removed: [] };
    this.safeEmit('discovery:update', {
      added: first.added,
      removed: second.removed,
      updated: first.updated,
      servers,
    });
  }

  private safeEmit<K extends keyof DiscoveryEvents>(event: K, ...args: DiscoveryEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: DiscoveryEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      // A listener that throws must not stop discovery; tell the error listeners instead.
      if (event !== 'discovery:error') this.report(error);
    }
  }
}

function sameSet(current: Map<string, ServerConfig>, servers: readonly ServerConfig[]): boolean {
  if (current.size !== servers.length) return false;
  return servers.every((s) => {
    const c = current.get(s.id);
    return c !== undefined && canonicalJson(c) === canonicalJson(s);
  });
}

function toMap(servers: readonly ServerConfig[]): Map<string, ServerConfig> {
  return new Map(servers.map((s) => [s.id, s]));
}

function badIndexes(issues: readonly ConfigIssue[]): Set<number> {
  const bad = new Set<number>();
  for (const issue of issues) {
    const m = /^servers\[(\d+)\]/.exec(issue.path);
    if (m) bad.add(Number(m[1]));
  }
  return bad;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
