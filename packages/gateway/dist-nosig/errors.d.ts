import { McpoolError } from '@mcpool/core';
import { type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Redact } from './redact.js';
/**
 * A JSON-RPC error for the downstream client. The SDK sends `code`, `message`
 * and `data` of whatever a handler throws; unlike `McpError` this one does not
 * prefix the message with "MCP error N:", which the client adds again.
 */
export declare class DownstreamError extends Error {
    readonly code: number;
    readonly data?: unknown | undefined;
    constructor(code: number, message: string, data?: unknown | undefined);
}
/**
 * Turns what a forwarded request threw into the JSON-RPC error the downstream
 * client gets: an upstream server's own error keeps its code and data; mcpool's
 * errors keep their stable `code` in `data.mcpool`; the message is redacted.
 */
export declare function toDownstreamError(error: unknown, redact: Redact): DownstreamError;
/**
 * A failed `resources/read` names the URI it was about in `data.uri`, as the
 * spec asks of a resource-not-found error, when the upstream did not.
 */
export declare function withResourceUri(error: unknown, uri: string): unknown;
/**
 * True for a tools/call that the gateway could not complete for operational
 * reasons: no server available, every server failed, it may have run, it timed
 * out, a breaker is open. The spec counts a failed execution as a tool error,
 * so the model reads the reason (and whether the call may have run). Unknown
 * or ambiguous names are the caller's mistakes: protocol errors (InvalidParams).
 */
export declare function isToolFailure(error: unknown): error is McpoolError;
/** The tool error a failed tools/call is answered with; `_meta` keeps mcpool's code. */
export declare function toToolError(error: McpoolError, redact: Redact): CallToolResult;
/** The gateway is shutting down and takes no new session: connect to another replica. */
export declare class GatewayDrainingError extends Error {
    readonly code = "GATEWAY_DRAINING";
    constructor();
}
//# sourceMappingURL=errors.d.ts.map