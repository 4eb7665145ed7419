/**
 * Every abort and deadline helper of mcpool, in one place: how a wait gives
 * up when a signal aborts, how a deadline becomes a `TimeoutError`, and
 * which error an abort turns into.
 */
import { AbortedError, McpoolError, TimeoutError } from '../spec/errors.js';

/** Largest delay Node's timers honour; longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Resolves after `ms`, or rejects with `AbortedError` as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal, 'Waiting'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal, 'Waiting'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The error to reject with when `signal` aborted: mcpool's own reasons (a
 * timeout, a closed pool) as they are, anything else as `AbortedError` with
 * the caller's reason as its cause.
 */
export function abortReason(signal: AbortSignal, what: string): Error {
  return McpoolError.isInstance(signal.reason)
    ? signal.reason
    : new AbortedError(what, signal.reason);
}

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

/** Waits for `promise` within `timeoutMs` and until `signal` aborts. */
export function withDeadline<T>(
  promise: Promise<T>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal, what));
    };
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(
          () => {
            signal?.removeEventListener('abort', onAbort);
            reject(new TimeoutError(what, timeoutMs));
          },
          Math.min(Math.max(1, timeoutMs), MAX_TIMER_MS),
        )
      : undefined;
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A signal that aborts with either: undefined (nothing to link) when `extra` is not given. */
export function linkSignals(
  main: AbortSignal,
  extra: AbortSignal | undefined,
): { signal: AbortSignal; dispose: () => void } | undefined {
  if (!extra) return undefined;
  const controller = new AbortController();
  const fromMain = () => controller.abort(main.reason);
  const fromExtra = () => controller.abort(extra.reason);
  if (main.aborted) fromMain();
  else if (extra.aborted) fromExtra();
  else {
    main.addEventListener('abort', fromMain, { once: true });
    extra.addEventListener('abort', fromExtra, { once: true });
  }
  return {
    signal: controller.signal,
    dispose: () => {
      main.removeEventListener('abort', fromMain);
      extra.removeEventListener('abort', fromExtra);
    },
  };
}

/** Waits for `promise` at most `ms` (an unref'd timer); resolves undefined when time runs out. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
