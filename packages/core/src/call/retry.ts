import type { AggregationJob } from '../spec/aggregator.js';
import {
  AllServersFailedError,
  type AttemptFailure,
  McpoolError,
  PoolClosedError,
  RequestMayHaveRunError,
  TimeoutError,
} from '../spec/errors.js';
import { faultOf, isUnsent } from '../spec/failure.js';
import type { RequestInfo, ServerView } from '../spec/server.js';
import { abortReason, sleep } from '../util/abort.js';
import { type BackoffOptions, fullJitter } from '../util/backoff.js';
import type { CallScope } from './call.js';

/*
 * The retry rule of a call, whole. A strategy (`first`, say) asks
 * `canRetry` after each failed attempt, waits `backoff(n)` and asks the
 * retry budget (`takeRetry`) before the next; these are their answers.
 *
 * - The error an attempt's failure becomes (`failureOfCall`): the call's own
 *   end (caller's abort, deadline, closed pool) wins over the attempt's
 *   error; a request that is not safe to repeat and was sent may have run,
 *   which says `RequestMayHaveRunError` and stops every retry.
 * - Whether it may be retried on another server (`mayRetry`): not once the
 *   call ended or has no time left; not for mcpool's own "may have run",
 *   abort and closed errors; else only for the server's faults and timeouts
 *   (the verdict the attempt carried), never for the caller's own errors.
 * - How long to wait before retry `n` (`backoffBefore`): full jitter, never
 *   past the deadline.
 */

/** Whether an attempt's error may be retried on another server. */
export function mayRetry(scope: CallScope, error: unknown): boolean {
  if (scope.aborted || scope.remaining() <= 1) return false;
  if (McpoolError.isInstance(error)) {
    return (
      error.code !== 'REQUEST_MAY_HAVE_RUN' &&
      error.code !== 'ABORTED' &&
      error.code !== 'POOL_CLOSED'
    );
  }
  const fault = faultOf(error);
  return fault === 'server-error' || fault === 'timeout';
}

/** The error a failed attempt of a call becomes. */
export function failureOfCall(
  scope: CallScope,
  poolClosed: boolean,
  request: RequestInfo,
  description: string,
  serverId: string,
  timeoutMs: number,
  error: unknown,
): unknown {
  const sent = !isUnsent(error);
  const ended = scope.aborted
    ? abortReason(scope.attemptSignal, description)
    : scope.remaining() <= 1
      ? new TimeoutError(description, timeoutMs, { cause: error })
      : undefined;
  const end = ended ?? (poolClosed ? new PoolClosedError() : undefined);
  if (end) {
    if (!request.safe && sent && McpoolError.isInstance(end) && end.code === 'TIMEOUT') {
      return new RequestMayHaveRunError(description, serverId, end);
    }
    return end;
  }
  const fault = faultOf(error);
  if (!request.safe && (fault === 'server-error' || fault === 'timeout') && sent) {
    return new RequestMayHaveRunError(description, serverId, error);
  }
  return error;
}

/** Waits the full-jitter backoff before retry number `n` (1-based), never past the deadline. */
export function backoffBefore(n: number, options: BackoffOptions, scope: CallScope): Promise<void> {
  return sleep(
    Math.min(fullJitter(n, options), Math.max(0, scope.remaining())),
    scope.attemptSignal,
  );
}

/** Retries of a call after its first attempt failed: other servers, then the fallback order. */
export async function retry<T>(
  job: AggregationJob<T>,
  failed: ServerView,
  error: unknown,
): Promise<T> {
  const failures: AttemptFailure[] = [{ serverId: failed.id, error }];
  const tried = new Set<string>([failed.id]);
  let server = failed;
  for (let retries = 1; retries <= job.maxRetries; retries++) {
    const next = job.pick(tried);
    if (!next || !job.takeRetry()) break;
    await job.backoff(retries);
    job.note('retry', server.id, next.id);
    server = next;
    tried.add(server.id);
    try {
      return await job.attempt(server);
    } catch (caught) {
      failures.push({ serverId: server.id, error: caught });
      if (!job.canRetry(caught)) throw caught;
    }
  }
  return fallBack(job, tried, failures, server.id);
}

/** The fallback order, after the retries (or when nothing could be picked). */
export async function fallBack<T>(
  job: AggregationJob<T>,
  tried: Set<string>,
  failures: AttemptFailure[],
  last: string | undefined,
): Promise<T> {
  for (const fallback of job.fallback) {
    if (tried.has(fallback.id)) continue;
    if (failures.length > 0 && !job.takeRetry()) break;
    tried.add(fallback.id);
    job.note('fallback', last, fallback.id);
    last = fallback.id;
    try {
      return await job.attempt(fallback);
    } catch (error) {
      failures.push({ serverId: fallback.id, error });
      if (!job.canRetry(error)) throw error;
    }
  }
  throw new AllServersFailedError(job.description, failures);
}
