/**
 * Time as the health checker sees it. The default is the system clock with
 * unref'd timers; tests pass their own to control time or to count timers.
 */
export interface Clock {
  /** ms since epoch. */
  now(): number;
  /** Calls `callback` after `ms`; the timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `Date.now` and Node timers, unref'd so a forgotten checker never holds the process open. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
