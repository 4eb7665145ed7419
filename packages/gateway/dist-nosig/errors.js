import { McpoolError } from '@mcpool/core';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
const CALLER_CODES = new Set(['UNKNOWN_CAPABILITY', 'AMBIGUOUS_NAME', 'UNKNOWN_SERVER']);
const SDK_PREFIX = /^MCP error -?\d+: /;
/**
 * A JSON-RPC error for the downstream client. The SDK sends `code`, `message`
 * and `data` of whatever a handler throws; unlike `McpError` this one does not
 * prefix the message with "MCP error N:", which the client adds again.
 */
export class DownstreamError extends Error {
    code;
    data;
    constructor(code, message, data) {
        super(message);
        this.code = code;
        this.data = data;
        this.name = 'DownstreamError';
    }
}
/**
 * Turns what a forwarded request threw into the JSON-RPC error the downstream
 * client gets: an upstream server's own error keeps its code and data; mcpool's
 * errors keep their stable `code` in `data.mcpool`; the message is redacted.
 */
export function toDownstreamError(error, redact) {
    if (error instanceof McpError) {
        return new DownstreamError(error.code, redact(error.message.replace(SDK_PREFIX, '')), error.data);
    }
    if (McpoolError.isInstance(error)) {
        const code = CALLER_CODES.has(error.code)
            ? ErrorCode.InvalidParams
            : error.code === 'TIMEOUT'
                ? ErrorCode.RequestTimeout
                : ErrorCode.InternalError;
        return new DownstreamError(code, redact(error.message), { mcpool: error.code });
    }
    if (error instanceof DownstreamError)
        return error;
    const message = error instanceof Error ? error.message : String(error);
    return new DownstreamError(ErrorCode.InternalError, redact(message));
}
/** Resource not found (-32002), or the params' fault (-32602), of a `resources/read`. */
const RESOURCE_ERROR_CODES = new Set([-32002, ErrorCode.InvalidParams]);
/**
 * A failed `resources/read` names the URI it was about in `data.uri`, as the
 * spec asks of a resource-not-found error, when the upstream did not.
 */
export function withResourceUri(error, uri) {
    if (!(error instanceof DownstreamError) || !RESOURCE_ERROR_CODES.has(error.code))
        return error;
    const data = error.data;
    if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
        return error;
    }
    if (data?.uri !== undefined)
        return error;
    return new DownstreamError(error.code, error.message, { ...data, uri });
}
/**
 * True for a tools/call that the gateway could not complete for operational
 * reasons: no server available, every server failed, it may have run, it timed
 * out, a breaker is open. The spec counts a failed execution as a tool error,
 * so the model reads the reason (and whether the call may have run). Unknown
 * or ambiguous names are the caller's mistakes: protocol errors (InvalidParams).
 */
export function isToolFailure(error) {
    return McpoolError.isInstance(error) && !CALLER_CODES.has(error.code) && error.code !== 'ABORTED';
}
/** The tool error a failed tools/call is answered with; `_meta` keeps mcpool's code. */
export function toToolError(error, redact) {
    return {
        content: [{ type: 'text', text: redact(error.message) }],
        isError: true,
        _meta: { 'mcpool/error': error.code },
    };
}
/** The gateway is shutting down and takes no new session: connect to another replica. */
export class GatewayDrainingError extends Error {
    code = 'GATEWAY_DRAINING';
    constructor() {
        super('The gateway is shutting down and takes no new session; connect again (to another replica).');
        this.name = 'GatewayDrainingError';
    }
}
//# sourceMappingURL=errors.js.map