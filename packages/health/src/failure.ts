import { McpoolError } from '@mcpool/core';
import { isUnreachableError } from '@mcpool/core/internal';

/**
 * True when the error shows that the server could not be reached at all
 * (connection refused, no route, unknown host), anywhere in its cause chain.
 */
export const isUnreachable: (error: unknown) => boolean = isUnreachableError;

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
