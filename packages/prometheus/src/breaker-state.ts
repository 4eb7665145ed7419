/** Where a server's circuit breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** The value `mcp_circuit_breaker_state` takes for each state. */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  open: 1,
  'half-open': 2,
};

/** Exclusion source the circuit breaker uses when it takes a server out of selection. */
export const BREAKER_SOURCE = 'breaker';

/**
 * Reads a breaker's state from the pool's exclusions, for when the breaker
 * does not report it itself: no exclusion by `breaker` is closed; one whose
 * reason mentions "half-open" (or "half open") is half-open; any other
 * (the breaker's "circuit open: ...") is open.
 *
 * A breaker that lets its half-open trial calls through by lifting the
 * exclusion reads as closed here; pass `breakerState` to the exporter for
 * the exact state.
 */
export function breakerStateFromExclusions(
  exclusions: Readonly<Record<string, string>>,
): BreakerState {
  const reason = exclusions[BREAKER_SOURCE];
  if (reason === undefined) return 'closed';
  return /half[- ]open/i.test(reason) ? 'half-open' : 'open';
}
