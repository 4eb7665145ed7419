import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type JSONRPCMessage, type JSONRPCNotification } from '@modelcontextprotocol/sdk/types.js';
/** What the in-process session answered: a result or a JSON-RPC error. */
export type LoopAnswer = {
    result: Record<string, unknown>;
    error?: undefined;
} | {
    result?: undefined;
    error: {
        code: number;
        message: string;
        data?: unknown;
    };
};
/**
 * The transport of the gateway's in-process session that serves modern
 * (2026-07-28) requests: each modern request is handed to the session's SDK
 * `Server` as one JSON-RPC message and its answer comes back here, with no
 * serialization on the way. Notifications tied to a request (progress) go to
 * that request's listener; the others (list changes, resource updates) to
 * `unsolicited`.
 */
export declare class LoopTransport implements Transport {
    private readonly unsolicited;
    sessionId: string | undefined;
    onclose: (() => void) | undefined;
    onerror: ((error: Error) => void) | undefined;
    onmessage: ((message: JSONRPCMessage) => void) | undefined;
    private readonly pending;
    private next;
    private closed;
    constructor(unsolicited: (notification: JSONRPCNotification) => void);
    start(): Promise<void>;
    /** Initializes the session as a client without capabilities (a modern client has no session to ask back on). */
    initialize(): Promise<void>;
    /**
     * Sends one request to the session; an abort of `signal` sends
     * `notifications/cancelled` and settles with a cancellation error.
     */
    request(method: string, params: Record<string, unknown> | undefined, options?: {
        signal?: AbortSignal | undefined;
        onNotification?: ((notification: JSONRPCNotification) => void) | undefined;
    }): Promise<LoopAnswer>;
    send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void>;
    close(): Promise<void>;
}
//# sourceMappingURL=modern-loop.d.ts.map