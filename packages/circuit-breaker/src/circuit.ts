import { EventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import { CircuitOpenError, type CircuitState } from './errors.js';
import type { CircuitSettings } from './options.js';
import type { AttemptVerdict } from './verdict.js';

/** Counts of a circuit's rolling window. */
export interface CircuitStats {
  /** Calls in the window, fast-failed ones included. */
  readonly fires: number;
  readonly successes: number;
  readonly failures: number;
  /** Calls failed fast while open or half-open. */
  readonly rejects: number;
  /** `failures / fires` in percent: what `errorThresholdPercentage` is compared with. */
  readonly errorPercentage: number;
}

/** A circuit's state and figures. */
export interface CircuitSnapshot {
  readonly state: CircuitState;
  /** Why it opened; set while open or half-open. */
  readonly reason: string | undefined;
  /** ms since epoch of the last opening. */
  readonly openedAt: number | undefined;
  /** Time until it half-opens, ms; set while open. */
  readonly retryAfterMs: number | undefined;
  /** Times it opened so far. */
  readonly opens: number;
  readonly stats: CircuitStats;
}

/** What a circuit tells its owner. Hooks must not throw; `Circuit` guards them anyway. */
export interface CircuitHooks {
  open(reason: string, retryAfterMs: number): void;
  halfOpen(): void;
  /** A half-open circuit let its one probe through. */
  probe(): void;
  close(reason: string): void;
  /** A hook threw. */
  error(error: unknown): void;
}

/** How a failure counts, from the error and the signal of what failed. */
export type VerdictOf = (error: unknown, signal: AbortSignal | undefined) => AttemptVerdict;

/**
 * What a circuit fires opossum with: `(run, undefined, NO_ARGS, verdict,
 * signal)`. opossum's action is `Reflect.apply` itself, which calls
 * `run()`: opossum runs the attempt with no function of mcpool's in between,
 * and hands the same arguments to the error filter after the error.
 */
type Fired = [
  run: () => Promise<unknown>,
  self: undefined,
  args: readonly [],
  verdict: VerdictOf,
  signal: AbortSignal | undefined,
];

/** The arguments `run` gets from `Reflect.apply`: none. */
export const NO_ARGS: readonly [] = Object.freeze([]) as readonly [];

/**
 * One opossum breaker, set up around opossum 9's pitfalls: no opossum timeout
 * (core times attempts, and opossum's timeout neither cancels the work nor
 * keeps its slot), no capacity (hitting it counts as a failure), no shared
 * AbortController (each call brings its own signal), no timers of its own for
 * the rolling window (its owner rotates the buckets), and a fresh window when
 * a probe closes the circuit, so old failures cannot re-open it at once.
 */
export class Circuit {
  readonly breaker: CircuitBreaker<Fired, unknown>;
  private readonly rotation = new EventEmitter();
  private lastFault: string | undefined;
  private fromHalfOpen = false;
  private openedAt: number | undefined;
  private reason: string | undefined;
  private opens = 0;

  constructor(
    /** The server the circuit guards; undefined for a client-wide circuit. */
    readonly serverId: string | undefined,
    private readonly settings: CircuitSettings,
    private readonly hooks: CircuitHooks,
    private readonly now: () => number = Date.now,
  ) {
    // The action only runs the attempt (see `Fired`): no wrapper, no extra promise per call.
    const action = Reflect.apply as unknown as (...fired: Fired) => Promise<unknown>;
    this.breaker = new CircuitBreaker(action, {
      name: serverId === undefined ? 'mcpool client' : `mcpool server ${serverId}`,
      timeout: false,
      resetTimeout: settings.resetTimeout,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      rollingCountTimeout: settings.rollingCountTimeout,
      rollingCountBuckets: settings.rollingCountBuckets,
      volumeThreshold: settings.volumeThreshold,
      // opossum sorts every latency of the window each time it reads its stats, and it reads
      // them on every failure; the pool measures latency already.
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.rotation,
      // True means "not a failure", and opossum then counts it as a success. opossum passes
      // the fired call's arguments after the error (nodeshift/opossum#492; its
      // types say only the error): here `Fired`, with the attempt's verdict and
      // signal (a function and its argument, not a closure made per call).
      errorFilter: (error: unknown, ...fired: unknown[]) => {
        const v = (fired[3] as VerdictOf)(error, fired[4] as AbortSignal | undefined);
        if (v === 'answer') return true;
        if (v === 'inconclusive') return !this.breaker.halfOpen;
        return false;
      },
    });
    this.breaker.on('failure', (error: unknown) => {
      this.lastFault = error instanceof Error ? error.message : String(error);
    });
    this.breaker.on('open', () => {
      this.opens++;
      this.openedAt = this.now();
      const stats = this.breaker.stats;
      this.reason = this.fromHalfOpen
        ? `the half-open probe failed: ${this.lastFault ?? 'unknown error'}`
        : `${stats.failures} of ${stats.fires} calls failed in the last ${
            this.settings.rollingCountTimeout / 1000
          } s (last: ${this.lastFault ?? 'unknown error'})`;
      this.fromHalfOpen = false;
      this.guard(() => this.hooks.open(this.reason ?? '', this.settings.resetTimeout));
    });
    this.breaker.on('halfOpen', () => {
      this.fromHalfOpen = true;
      this.guard(() => this.hooks.halfOpen());
    });
    this.breaker.on('close', () => {
      this.fromHalfOpen = false;
      this.reason = undefined;
      this.resetWindow();
      this.guard(() => this.hooks.close('the half-open probe succeeded'));
    });
  }

  /**
   * Runs `run` through the breaker. Fails fast with `CircuitOpenError` while
   * open (and while half-open with the probe in flight); `verdict(error,
   * signal)` says how a failure of `run` counts.
   */
  fire<T>(run: () => Promise<T>, verdict: VerdictOf, signal: AbortSignal | undefined): Promise<T> {
    const b = this.breaker;
    if (b.isShutdown) return run();
    // A closed circuit runs the attempt: its promise needs no translation.
    if (b.closed) return b.fire(run, undefined, NO_ARGS, verdict, signal) as Promise<T>;
    const probing = b.halfOpen && b.pendingClose;
    const pending = b.fire(run, undefined, NO_ARGS, verdict, signal) as Promise<T>;
    // opossum admits the one half-open probe synchronously, inside fire().
    if (probing && b.halfOpen && !b.pendingClose) this.guard(() => this.hooks.probe());
    return pending.catch((error: unknown) => {
      throw isOpenRejection(error) ? this.openError() : error;
    });
  }

  /** Moves the rolling window on by one bucket. */
  rotate(): void {
    this.rotation.emit('rotate');
  }

  get state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half-open';
    return 'closed';
  }

  snapshot(): CircuitSnapshot {
    const s = this.breaker.stats;
    const state = this.state;
    return {
      state,
      reason: state === 'closed' ? undefined : this.reason,
      openedAt: this.openedAt,
      retryAfterMs: state === 'open' ? this.retryAfter() : undefined,
      opens: this.opens,
      stats: {
        fires: s.fires,
        successes: s.successes,
        failures: s.failures,
        rejects: s.rejects,
        errorPercentage: s.fires === 0 ? 0 : (s.failures / s.fires) * 100,
      },
    };
  }

  /** Stops the breaker's reset timer and listeners; later calls run unguarded. */
  shutdown(): void {
    if (!this.breaker.isShutdown) this.breaker.shutdown();
    this.rotation.removeAllListeners();
  }

  private openError(): CircuitOpenError {
    const halfOpen = this.breaker.halfOpen;
    return new CircuitOpenError({
      serverId: this.serverId,
      state: halfOpen ? 'half-open' : 'open',
      retryAfterMs: halfOpen ? undefined : this.retryAfter(),
      reason: this.reason,
    });
  }

  private retryAfter(): number {
    return Math.max(0, (this.openedAt ?? this.now()) + this.settings.resetTimeout - this.now());
  }

  private resetWindow(): void {
    for (let i = 0; i < this.settings.rollingCountBuckets; i++) this.rotation.emit('rotate');
  }

  private guard(hook: () => void): void {
    try {
      hook();
    } catch (error) {
      try {
        this.hooks.error(error);
      } catch {
        // Reporting failed too; an exception here would leave opossum's promise unsettled.
      }
    }
  }
}

function isOpenRejection(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    CircuitBreaker.isOurError(error as Error) &&
    (error as { code?: unknown }).code === 'EOPENBREAKER'
  );
}
