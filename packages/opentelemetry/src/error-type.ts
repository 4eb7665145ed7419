import { McpoolError } from '@mcpool/core';

/**
 * The low-cardinality `error.type` of a failure, as the MCP conventions ask:
 * the JSON-RPC error code when the server sent one, `timeout` for timeouts,
 * mcpool's stable error code for its own errors, else the error's class or
 * system code (`ECONNREFUSED`), and `_OTHER` when nothing better is known.
 */
export function errorType(error: unknown): string {
  if (McpoolError.isInstance(error)) return error.code === 'TIMEOUT' ? 'timeout' : error.code;
  if (typeof error === 'object' && error !== null) {
    const { code, name } = error as { code?: unknown; name?: unknown };
    if (typeof code === 'number' && Number.isInteger(code)) {
      // The SDK's own timeout is a JSON-RPC error code too; the conventions name it.
      return code === -32001 ? 'timeout' : String(code);
    }
    if (typeof code === 'string' && code !== '') return code;
    // fetch wraps a refused connection in `TypeError: fetch failed` with the system error as cause.
    const cause = (error as { cause?: { code?: unknown } }).cause;
    if (typeof cause?.code === 'string' && cause.code !== '') return cause.code;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
  }
  return '_OTHER';
}

/** The JSON-RPC error code of a server's error response, if the failure is one. */
export function jsonRpcCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || McpoolError.isInstance(error))
    return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && Number.isInteger(code) ? String(code) : undefined;
}

/** The text to put in a span's error status. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True when an abort reason is a timeout rather than someone calling the attempt off. */
export function isTimeoutReason(reason: unknown): boolean {
  if (McpoolError.isInstance(reason)) return reason.code === 'TIMEOUT';
  return (
    typeof reason === 'object' &&
    reason !== null &&
    (reason as { name?: unknown }).name === 'TimeoutError'
  );
}
