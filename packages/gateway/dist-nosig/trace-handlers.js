/**
 * Makes every request handler installed on `server` from now on run inside
 * `trace`. Done on the server rather than in each handler so that a handler
 * added later is traced too.
 */
export function traceHandlers(server, trace) {
    const install = server.setRequestHandler.bind(server);
    server.setRequestHandler = ((schema, handler) => install(schema, tracedHandler(trace, handler)));
}
/** One handler made to run inside `trace`; for handlers installed past `setRequestHandler`. */
export function tracedHandler(trace, handler) {
    return ((request, extra) => trace({
        method: request.method,
        params: request.params,
        requestId: extra.requestId,
        sessionId: extra.sessionId,
        headers: extra.requestInfo?.headers,
    }, async () => handler(request, extra)));
}
//# sourceMappingURL=trace-handlers.js.map