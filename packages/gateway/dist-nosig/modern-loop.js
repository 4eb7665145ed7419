import { LATEST_PROTOCOL_VERSION, } from '@modelcontextprotocol/sdk/types.js';
import { VERSION } from './version.js';
/**
 * The transport of the gateway's in-process session that serves modern
 * (2026-07-28) requests: each modern request is handed to the session's SDK
 * `Server` as one JSON-RPC message and its answer comes back here, with no
 * serialization on the way. Notifications tied to a request (progress) go to
 * that request's listener; the others (list changes, resource updates) to
 * `unsolicited`.
 */
export class LoopTransport {
    unsolicited;
    sessionId;
    onclose;
    onerror;
    onmessage;
    pending = new Map();
    next = 0;
    closed = false;
    constructor(unsolicited) {
        this.unsolicited = unsolicited;
    }
    async start() { }
    /** Initializes the session as a client without capabilities (a modern client has no session to ask back on). */
    async initialize() {
        const answer = await this.request('initialize', {
            protocolVersion: LATEST_PROTOCOL_VERSION,
            capabilities: {},
            clientInfo: { name: 'mcpool-modern-front', version: VERSION },
        });
        if (answer.error)
            throw new Error(answer.error.message);
        this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    /**
     * Sends one request to the session; an abort of `signal` sends
     * `notifications/cancelled` and settles with a cancellation error.
     */
    request(method, params, options = {}) {
        if (this.closed) {
            return Promise.resolve({ error: { code: -32000, message: 'The gateway is closing.' } });
        }
        const id = `modern-${++this.next}`;
        const { signal } = options;
        return new Promise((resolve) => {
            const onAbort = () => {
                if (!this.pending.delete(id))
                    return;
                this.onmessage?.({
                    jsonrpc: '2.0',
                    method: 'notifications/cancelled',
                    params: { requestId: id, reason: 'The client cancelled the request.' },
                });
                resolve({ error: { code: -32800, message: 'Request cancelled' } });
            };
            this.pending.set(id, {
                resolve: (answer) => {
                    signal?.removeEventListener('abort', onAbort);
                    resolve(answer);
                },
                onNotification: options.onNotification,
            });
            if (signal?.aborted) {
                onAbort();
                return;
            }
            signal?.addEventListener('abort', onAbort, { once: true });
            this.onmessage?.({
                jsonrpc: '2.0',
                id,
                method,
                ...(params === undefined ? {} : { params }),
            });
        });
    }
    async send(message, options) {
        if (this.closed)
            return;
        // Built by the session's own `Protocol`: its keys tell its kind, with no zod parse of each answer.
        if ('result' in message || 'error' in message) {
            const id = message.id;
            const pending = this.pending.get(id);
            if (!pending)
                return;
            this.pending.delete(id);
            pending.resolve('result' in message
                ? { result: message.result }
                : { error: message.error });
            return;
        }
        if ('id' in message) {
            // No capability was declared, so the session asks nothing of this client; answer just in case.
            this.onmessage?.({
                jsonrpc: '2.0',
                id: message.id,
                error: { code: -32601, message: 'A modern client cannot be asked requests.' },
            });
            return;
        }
        const related = options?.relatedRequestId;
        const pending = related === undefined ? undefined : this.pending.get(related);
        if (pending)
            pending.onNotification?.(message);
        else if (related === undefined)
            this.unsolicited(message);
    }
    async close() {
        if (this.closed)
            return;
        this.closed = true;
        for (const pending of this.pending.values()) {
            pending.resolve({ error: { code: -32000, message: 'The gateway is closing.' } });
        }
        this.pending.clear();
        this.onclose?.();
    }
}
//# sourceMappingURL=modern-loop.js.map