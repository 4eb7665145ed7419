import { MAX_TIMER_MS } from './backoff.js';

/**
 * Waits for `promise`, but rejects as soon as `signal` aborts (with
 * `reason(signal)`, the signal's own reason by default). The listener is
 * removed either way, so long-lived signals collect nothing.
 */
export function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  reason: (signal: AbortSignal) => unknown = (s) => s.reason,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(reason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Waits for `promise` until `deadline` (a `performance.now()` time), then
 * rejects with `error()`. The timer is cleared either way.
 */
export function beforeDeadline<T>(
  promise: Promise<T>,
  deadline: number,
  error: () => unknown,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(error()),
      Math.min(Math.max(0, deadline - performance.now()), MAX_TIMER_MS),
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (reason: unknown) => {
        clearTimeout(timer);
        reject(reason);
      },
    );
  });
}
