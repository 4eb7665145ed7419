/**
 * Time as discovery sees it: intervals, backoff and settle timers. The default
 * is the system clock with unref'd timers; tests pass their own to step time.
 */
export interface Clock {
  /** ms since epoch. */
  now(): number;
  /** Calls `callback` after `ms`; the timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `Date.now` and Node timers, unref'd so forgotten discovery never holds the process open. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, Math.min(ms, 2_147_483_647));
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
