import { type AggregationJob, McpoolError, type ServerView, TimeoutError } from '@mcpool/core';
import { faultOf } from '@mcpool/core/internal';

/** How one attempt of a fan-out ended; never a rejection, so strategies can wait on many. */
export type Settled<T> =
  | {
      readonly server: ServerView;
      readonly ok: true;
      readonly value: T;
      readonly latencyMs: number;
    }
  | {
      readonly server: ServerView;
      readonly ok: false;
      readonly error: unknown;
      readonly latencyMs: number;
    };

/** An attempt in flight that the strategy may still call off. */
export interface RunningAttempt<T> {
  readonly server: ServerView;
  readonly settled: Promise<Settled<T>>;
  /**
   * Aborts the attempt's own signal: the SDK sends `notifications/cancelled`
   * upstream and the pool records the attempt as aborted, not as the server's fault.
   */
  cancel(reason: unknown): void;
}

/*
 * The pool owns the per-attempt timeout (so health and balancers see a
 * `timeout`); this guard only fires when an attempt cannot even start, e.g. it
 * waits for a connection that is still opening, which does not watch the signal.
 */
const GUARD_GRACE_MS = 25;

/**
 * Starts one attempt with its own AbortController, linked to the call's
 * signal, and settles as soon as it answers, fails, is cancelled or its
 * guard fires — whichever comes first — so a stuck server never holds a
 * fan-out back past its time budget.
 */
export function startAttempt<T>(
  job: AggregationJob<T>,
  server: ServerView,
  timeout?: number,
): RunningAttempt<T> {
  const controller = new AbortController();
  const started = performance.now();
  const onCallAbort = () => controller.abort(job.signal.reason);
  let guard: NodeJS.Timeout | undefined;

  // Registered before the attempt starts, so a cancellation settles with our
  // reason rather than with the SDK's wrapping of it.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
      once: true,
    });
  });
  if (job.signal.aborted) onCallAbort();
  else job.signal.addEventListener('abort', onCallAbort, { once: true });
  if (timeout !== undefined) {
    guard = setTimeout(
      () => controller.abort(attemptTimeout(job, server, timeout)),
      timeout + GUARD_GRACE_MS,
    );
  }

  let attempt: Promise<T>;
  try {
    attempt = job.attempt(server, { signal: controller.signal, timeout });
  } catch (error) {
    attempt = Promise.reject(error);
  }
  const settled = Promise.race([attempt, aborted]).then(
    (value): Settled<T> => ({ server, ok: true, value, latencyMs: performance.now() - started }),
    (error: unknown): Settled<T> => ({
      server,
      ok: false,
      error: normalize(error, job, server, timeout),
      latencyMs: performance.now() - started,
    }),
  );
  void settled.finally(() => {
    clearTimeout(guard);
    job.signal.removeEventListener('abort', onCallAbort);
  });
  return {
    server,
    settled,
    cancel: (reason) => controller.abort(reason),
  };
}

function attemptTimeout(
  job: AggregationJob<unknown>,
  server: ServerView,
  ms: number,
): TimeoutError {
  return new TimeoutError(`${job.description} on server "${server.id}"`, ms);
}

/*
 * The SDK turns the pool's TimeoutError abort reason into an McpError
 * "Request timed out" carrying only its text; give the caller the typed error
 * back, naming the server, with the SDK's error as the cause.
 */
function normalize(
  error: unknown,
  job: AggregationJob<unknown>,
  server: ServerView,
  timeout: number | undefined,
): unknown {
  if (timeout === undefined || McpoolError.isInstance(error)) return error;
  if (faultOf(error) !== 'timeout') return error;
  return new TimeoutError(`${job.description} on server "${server.id}"`, timeout, { cause: error });
}
