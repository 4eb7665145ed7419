export { ATTR } from './attributes.js';
export { errorType } from './error-type.js';
export { type IncomingRequest, traceIncoming } from './incoming.js';
export type { BreakerStates, TracingOptions } from './options.js';
export { type McpoolTracing, type TraceableClient, tracing } from './tracing.js';
export { VERSION } from './version.js';
export { formatTraceparent, parseTraceparent } from './w3c.js';
