import { AbortedError, McpoolError } from '../spec/errors.js';

/** Largest delay Node's timers honour; longer ones fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Exponential backoff bounds, ms. */
export interface BackoffOptions {
  /** @default 25 */
  baseMs?: number;
  /** @default 250 */
  maxMs?: number;
}

/**
 * Full-jitter backoff (AWS architecture blog): a uniform delay in
 * [0, min(max, base * 2^(n-1))], which spreads retries of many callers apart.
 */
export function fullJitter(n: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? 25;
  const max = options.maxMs ?? 250;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, n - 1));
  return Math.floor(random() * ceiling);
}

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
