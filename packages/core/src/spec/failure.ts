import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { AttemptOutcome } from './attempt.js';
import { McpoolError } from './errors.js';

/** JSON-RPC error codes that mean the server itself is in trouble. */
const SERVER_FAULT_CODES = new Set<number>([
  ErrorCode.InternalError,
  ErrorCode.ParseError,
  ErrorCode.ConnectionClosed,
]);

/**
 * Sorts an attempt's error into a failure class. Only `server-error` and
 * `timeout` say anything about the server's health: an error the server sent
 * on purpose (invalid params, resource not found) is an answer, and a caller's
 * abort is nobody's fault.
 */
export function classifyError(error: unknown, callerAborted: boolean): AttemptOutcome {
  if (callerAborted) return 'aborted';
  // A connector that knows its SDK's errors may have judged this one already.
  const known = typeof error === 'object' && error !== null ? faults.get(error) : undefined;
  if (known !== undefined) return known;
  if (McpoolError.isInstance(error)) {
    if (error.code === 'TIMEOUT') return 'timeout';
    // Nobody's fault as far as the server's health goes: the caller gave up,
    // the pool closed, or a breaker refused before anything was sent.
    if (error.code === 'ABORTED' || error.code === 'POOL_CLOSED' || error.code === 'CIRCUIT_OPEN') {
      return 'aborted';
    }
    return 'server-error';
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return 'timeout';
    if (SERVER_FAULT_CODES.has(error.code)) return 'server-error';
    return 'rejected';
  }
  return 'server-error';
}

const NOT_DELIVERED_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when the error proves the request never reached the server (the
 * connection was refused, no route, unknown host), anywhere in its cause
 * chain or among an AggregateError's errors (fetch tries every address), so
 * even an unsafe request may go to another server.
 */
export function isUnreachableError(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 10) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_DELIVERED_CODES.has(code)) return true;
    queue.push((current as { cause?: unknown }).cause);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

const notDelivered = new WeakSet<object>();

/** Marks an error as raised before the request left for the server. */
export function markUnsent(error: unknown): void {
  if (typeof error === 'object' && error !== null) notDelivered.add(error);
}

/** True when the request that failed with `error` certainly did not reach the server. */
export function isUnsent(error: unknown): boolean {
  return (
    (typeof error === 'object' && error !== null && notDelivered.has(error)) ||
    isUnreachableError(error)
  );
}

const faults = new WeakMap<object, AttemptOutcome>();

/**
 * Remembers the verdict on an attempt's error (as `classifyError(error,
 * false)` gives it), so that what happens to the error later (retry rules,
 * breakers, aggregations) reads it instead of judging it again. A connector
 * calls it on the errors its SDK raises that core cannot judge (a v2
 * `ProtocolError` -32602 is `rejected`); `classifyError` then returns it.
 */
export function rememberFault(error: unknown, fault: AttemptOutcome): void {
  if (typeof error === 'object' && error !== null) faults.set(error, fault);
}

/** The verdict on an error: the one its attempt carried, else judged now. */
export function faultOf(error: unknown): AttemptOutcome {
  return (
    (typeof error === 'object' && error !== null ? faults.get(error) : undefined) ??
    classifyError(error, false)
  );
}
