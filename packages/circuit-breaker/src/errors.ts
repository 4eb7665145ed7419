import { McpoolError } from '@mcpool/core';

/** Where a circuit stands. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** What a `CircuitOpenError` says. */
export interface CircuitOpenDetails {
  /** The server whose circuit is open; undefined for the client-wide breaker. */
  readonly serverId?: string | undefined;
  readonly state: 'open' | 'half-open';
  /** Time until the circuit lets a probe through, ms; undefined while a probe is in flight. */
  readonly retryAfterMs?: number | undefined;
  /** Why the circuit opened. */
  readonly reason?: string | undefined;
}

/**
 * A call failed fast because a circuit breaker is open: nothing was sent. A
 * per-server breaker raises it before the request leaves, so the client
 * treats the request as not delivered and tries another server, even for a
 * tool that is not safe to repeat.
 */
export class CircuitOpenError extends McpoolError {
  readonly serverId: string | undefined;
  readonly state: 'open' | 'half-open';
  readonly retryAfterMs: number | undefined;
  readonly reason: string | undefined;

  constructor(details: CircuitOpenDetails) {
    super('CIRCUIT_OPEN', circuitOpenMessage(details));
    this.serverId = details.serverId;
    this.state = details.state;
    this.retryAfterMs = details.retryAfterMs;
    this.reason = details.reason;
  }

  /** True for a `CircuitOpenError`, even one from another copy of this package. */
  static override isInstance(error: unknown): error is CircuitOpenError {
    return McpoolError.isInstance(error) && error.code === 'CIRCUIT_OPEN';
  }
}

function circuitOpenMessage(d: CircuitOpenDetails): string {
  const why = d.reason ? ` (${d.reason})` : '';
  const when =
    d.state === 'half-open'
      ? 'it is half-open and its one probe is in flight'
      : d.retryAfterMs === undefined
        ? 'it lets a probe through soon'
        : `it lets a probe through in ${Math.ceil(d.retryAfterMs)} ms`;
  if (d.serverId === undefined) {
    return `The client's circuit breaker is ${d.state}${why}, so the call failed fast; ${when}. Check the servers with pool.getMetrics().`;
  }
  return `The circuit breaker of server "${d.serverId}" is ${d.state}${why}, so the call failed fast without reaching it; ${when}. The client tries another server when it can.`;
}
