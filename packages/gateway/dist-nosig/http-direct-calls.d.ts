import { type CallToolResult, type JSONRPCMessage, type JSONRPCRequest, type RequestId } from '@modelcontextprotocol/sdk/types.js';
/** The params of a plain call. */
export interface PlainCallParams {
    name: string;
    arguments?: Record<string, unknown>;
}
/** Runs one plain call for a session; undefined when the session leaves it to the SDK server. */
export type DirectCall = (params: PlainCallParams, requestId: RequestId, signal: AbortSignal) => Promise<CallToolResult> | undefined;
/** A plain call: the request and its params. */
export interface PlainCall {
    readonly request: JSONRPCRequest;
    readonly params: PlainCallParams;
}
/**
 * `message` as a plain call when it is one, else undefined. Exactly what the
 * SDK's schemas accept as a `tools/call` request (a string or integer id, a
 * string name, an object of arguments, no other keys) with no `_meta`:
 * anything else goes to the SDK server, to be refused or handled as before.
 */
export declare function plainCall(message: JSONRPCMessage): PlainCall | undefined;
/** The plain calls of one session in flight, each cancellable by its client. */
export declare class DirectCalls {
    private readonly call;
    /** Delivers the answer of a call, as the SDK server would have sent it. */
    private readonly answer;
    private readonly live;
    constructor(call: DirectCall, 
    /** Delivers the answer of a call, as the SDK server would have sent it. */
    answer: (message: JSONRPCMessage) => void);
    /** Starts a plain call; false when the session leaves it to the SDK server. */
    start({ request, params }: PlainCall): boolean;
    /**
     * A `notifications/cancelled` for one of these calls aborts it, and, as the
     * spec asks and the SDK server does, it is never answered.
     */
    cancelled(message: JSONRPCMessage): void;
    /** The session closed: every call stops (its POST is answered by the transport). */
    abortAll(): void;
    private settle;
}
//# sourceMappingURL=http-direct-calls.d.ts.map