import { ErrorCode, } from '@modelcontextprotocol/sdk/types.js';
/**
 * `message` as a plain call when it is one, else undefined. Exactly what the
 * SDK's schemas accept as a `tools/call` request (a string or integer id, a
 * string name, an object of arguments, no other keys) with no `_meta`:
 * anything else goes to the SDK server, to be refused or handled as before.
 */
export function plainCall(message) {
    const m = message;
    if (m.method !== 'tools/call' || m.jsonrpc !== '2.0')
        return undefined;
    const id = m.id;
    if (typeof id !== 'string' && !Number.isInteger(id))
        return undefined;
    if (keyCount(m) !== (m.params === undefined ? 3 : 4))
        return undefined;
    const params = m.params;
    if (typeof params !== 'object' || params === null || typeof params.name !== 'string') {
        return undefined;
    }
    const args = params.arguments;
    const keys = keyCount(params);
    const request = message;
    if (args === undefined)
        return keys === 1 ? { request, params: { name: params.name } } : undefined;
    if (keys !== 2 || typeof args !== 'object' || args === null || Array.isArray(args)) {
        return undefined;
    }
    return { request, params: { name: params.name, arguments: args } };
}
function keyCount(object) {
    let keys = 0;
    for (const _ in object)
        keys++;
    return keys;
}
/** The plain calls of one session in flight, each cancellable by its client. */
export class DirectCalls {
    call;
    answer;
    live = new Map();
    constructor(call, 
    /** Delivers the answer of a call, as the SDK server would have sent it. */
    answer) {
        this.call = call;
        this.answer = answer;
    }
    /** Starts a plain call; false when the session leaves it to the SDK server. */
    start({ request, params }) {
        const id = request.id;
        const controller = new AbortController();
        const running = this.call(params, id, controller.signal);
        if (!running)
            return false;
        this.live.set(id, controller);
        running.then((result) => this.settle(id, controller, { jsonrpc: '2.0', id, result }), (error) => this.settle(id, controller, errorAnswer(id, error)));
        return true;
    }
    /**
     * A `notifications/cancelled` for one of these calls aborts it, and, as the
     * spec asks and the SDK server does, it is never answered.
     */
    cancelled(message) {
        if (!('method' in message) || message.method !== 'notifications/cancelled')
            return;
        const requestId = message.params?.requestId;
        if (requestId === undefined)
            return;
        const controller = this.live.get(requestId);
        if (!controller)
            return;
        this.live.delete(requestId);
        controller.abort(message.params.reason);
    }
    /** The session closed: every call stops (its POST is answered by the transport). */
    abortAll() {
        const controllers = [...this.live.values()];
        this.live.clear();
        for (const controller of controllers)
            controller.abort();
    }
    settle(id, controller, message) {
        if (this.live.get(id) !== controller)
            return;
        this.live.delete(id);
        this.answer(message);
    }
}
/** The error answer the SDK server sends for what a handler threw. */
function errorAnswer(id, error) {
    const { code, message, data } = (error ?? {});
    return {
        jsonrpc: '2.0',
        id,
        error: {
            code: Number.isSafeInteger(code) ? code : ErrorCode.InternalError,
            message: typeof message === 'string' ? message : 'Internal error',
            ...(data !== undefined ? { data } : {}),
        },
    };
}
//# sourceMappingURL=http-direct-calls.js.map