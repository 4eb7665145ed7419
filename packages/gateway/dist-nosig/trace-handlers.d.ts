import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
/** A downstream request, as tracing sees it. */
export interface TracedRequest {
    readonly method: string;
    readonly params?: unknown;
    readonly requestId?: string | number | undefined;
    readonly sessionId?: string | undefined;
    readonly headers?: Record<string, string | string[] | undefined> | undefined;
}
/**
 * Runs the handling of one downstream request inside a trace (`traceIncoming`
 * of `@mcpool/opentelemetry` fits): it continues the caller's trace from the
 * request's `params._meta` or HTTP `traceparent` header.
 */
export type TraceRequest = <T>(request: TracedRequest, handle: () => Promise<T>) => Promise<T>;
/**
 * Makes every request handler installed on `server` from now on run inside
 * `trace`. Done on the server rather than in each handler so that a handler
 * added later is traced too.
 */
export declare function traceHandlers(server: Server, trace: TraceRequest): void;
type Handler = Parameters<Server['setRequestHandler']>[1];
/** One handler made to run inside `trace`; for handlers installed past `setRequestHandler`. */
export declare function tracedHandler<H extends Handler>(trace: TraceRequest, handler: H): H;
export {};
//# sourceMappingURL=trace-handlers.d.ts.map