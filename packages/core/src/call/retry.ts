import {
  McpoolError,
  PoolClosedError,
  RequestMayHaveRunError,
  TimeoutError,
} from '../spec/errors.js';
import { faultOf, isUnsent } from '../spec/failure.js';
import type { RequestInfo } from '../spec/server.js';
import { abortReason, sleep } from '../util/abort.js';
import { type BackoffOptions, fullJitter } from '../util/backoff.js';
import type { CallScope } from './call-scope.js';

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
