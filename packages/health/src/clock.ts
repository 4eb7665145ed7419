/**
 * Time as the health checker sees it. The default is the system clock with
 * unref'd timers; tests pass their own to control time or to count timers.
 */
export interface HealthClock {
  /** ms since epoch. */
  now(): number;
  /** Calls `callback` after `ms`; the timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `Date.now` and Node timers, unref'd so a forgotten checker never holds the process open. */
export const systemClock: HealthClock = {
  // Date.now itself rather than a function around it: the checker reads it on every attempt.
  now: Date.now,
  setTimeout(callback, ms) {
    const timer = setTimeout(callback, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** @deprecated Renamed `HealthClock`; this name goes in the next minor version. */
export type Clock = HealthClock;
