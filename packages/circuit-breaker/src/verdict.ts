import { McpoolError } from '@mcpool/core';
import { faultOf } from '@mcpool/core/internal';

/**
 * How one failed call counts for a breaker:
 * - `fault`: a server fault (transport error, internal error, timeout) — a failure;
 * - `answer`: the server answered on purpose (invalid params, not found) — a success;
 * - `inconclusive`: the caller gave up, or nothing was sent — a success while
 *   closed (it proves nothing against the server), a failure while half-open
 *   (it proves nothing for it either, so the circuit does not close on it).
 */
export type AttemptVerdict = 'fault' | 'answer' | 'inconclusive';

function isTimeout(reason: unknown): boolean {
  return McpoolError.isInstance(reason) && reason.code === 'TIMEOUT';
}

/** The verdict on one attempt on one server, from its error and its signal. */
export function attemptVerdict(error: unknown, signal: AbortSignal | undefined): AttemptVerdict {
  // The attempt's own deadline is the server's fault; any other abort is the caller's.
  if (signal?.aborted && !isTimeout(signal.reason)) return 'inconclusive';
  if (
    McpoolError.isInstance(error) &&
    (error.code === 'CIRCUIT_OPEN' || error.code === 'POOL_CLOSED')
  ) {
    return 'inconclusive';
  }
  switch (faultOf(error)) {
    case 'server-error':
    case 'timeout':
      return 'fault';
    case 'aborted':
      return 'inconclusive';
    default:
      return 'answer';
  }
}

/** The verdict on one whole client call (retries and fallbacks included). */
export function callVerdict(error: unknown, signal: AbortSignal | undefined): AttemptVerdict {
  if (signal?.aborted) return 'inconclusive';
  if (McpoolError.isInstance(error)) {
    switch (error.code) {
      case 'ALL_SERVERS_FAILED':
      case 'NO_SERVER_AVAILABLE':
      case 'TIMEOUT':
      case 'REQUEST_MAY_HAVE_RUN':
      case 'CONNECTION_FAILED':
      case 'CIRCUIT_OPEN':
        return 'fault';
      case 'ABORTED':
      case 'POOL_CLOSED':
        return 'inconclusive';
      default:
        // The caller's mistakes: unknown tool, ambiguous name, bad options, no quorum.
        return 'answer';
    }
  }
  switch (faultOf(error)) {
    case 'server-error':
    case 'timeout':
      return 'fault';
    case 'aborted':
      return 'inconclusive';
    default:
      return 'answer';
  }
}

/** @deprecated Renamed `AttemptVerdict`; this name goes in the next minor version. */
export type Verdict = AttemptVerdict;
