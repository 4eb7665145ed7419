import { McpoolError } from '@mcpool/core';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when the error shows that the server could not be reached at all
 * (connection refused, no route, unknown host), anywhere in its cause chain.
 * The same codes as core's internal `provesNotDelivered`.
 */
export function isUnreachable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0 && seen.size < 10) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return true;
    queue.push((current as { cause?: unknown }).cause);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return false;
}

/**
 * Errors raised by mcpool itself before anything was sent to the server: they
 * say nothing about the server's health (an open circuit breaker, a closed
 * pool, a removed server).
 */
export function saysNothingAboutServer(error: unknown): boolean {
  return (
    McpoolError.isInstance(error) &&
    (error.code === 'CIRCUIT_OPEN' ||
      error.code === 'POOL_CLOSED' ||
      error.code === 'UNKNOWN_SERVER' ||
      error.code === 'ABORTED')
  );
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
