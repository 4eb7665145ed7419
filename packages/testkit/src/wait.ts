import { createServer } from 'node:net';

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this long. Default 5000. */
  timeoutMs?: number;
  /** Poll this often. Default 20. */
  intervalMs?: number;
  /** Names the condition in the timeout error, so a failing test says what it was waiting for. */
  message?: string;
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or the timeout passes,
 * then rejects with an error naming the condition and the last error the predicate threw.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 5000, intervalMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const what =
        options.message ?? (predicate.toString().replace(/\s+/g, ' ').slice(0, 200) || 'predicate');
      const cause =
        lastError === undefined
          ? ''
          : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new Error(`waitFor timed out after ${timeoutMs} ms waiting for: ${what}${cause}`, {
        cause: lastError,
      });
    }
    await delay(intervalMs);
  }
}

/**
 * Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts, so a
 * cancelled MCP request stops waiting instead of answering late.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago. Another process can still take it before
 * you bind, so callers that spawn servers should retry on EADDRINUSE.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: could not read the bound address'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
