export type { CircuitSnapshot, CircuitStats } from './circuit.js';
export { CircuitBreakers, type ServerCircuitState } from './circuit-breakers.js';
export { ClientBreaker, withClientBreaker } from './client-breaker.js';
export { attemptVerdict, callVerdict } from './deprecated.js';
export { type CircuitOpenDetails, CircuitOpenError, type CircuitState } from './errors.js';
export type { CircuitBreakersEvents, ClientBreakerEvents } from './events.js';
export type { CircuitBreakersOptions, CircuitOptions } from './options.js';
export type { AttemptVerdict, Verdict } from './verdict.js';
