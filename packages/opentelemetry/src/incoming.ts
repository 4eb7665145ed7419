import {
  context,
  isSpanContextValid,
  SpanKind,
  SpanStatusCode,
  type TextMapPropagator,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTR, requestAttributes, spanName } from './attributes.js';
import { now } from './clock.js';
import { errorMessage, errorType, jsonRpcCode } from './error-type.js';
import { VERSION } from './version.js';
import { extractFrom } from './w3c.js';

/** A request an MCP server (the gateway) received from its client. */
export interface IncomingRequest {
  readonly method: string;
  /** The request's params; trace context is read from their `_meta`. */
  readonly params?: unknown;
  /** The JSON-RPC id, recorded as `jsonrpc.request.id`. */
  readonly requestId?: string | number | undefined;
  /** The downstream MCP session, recorded as `mcp.session.id`. */
  readonly sessionId?: string | undefined;
  /** The protocol version the downstream session speaks. */
  readonly protocolVersion?: string | undefined;
  /** HTTP headers of the request; `traceparent` there is used when `_meta` has none. */
  readonly headers?: Record<string, string | string[] | undefined> | undefined;
}

/** Options of {@link traceIncoming}. */
export interface IncomingOptions {
  /** @default the global tracer provider */
  tracerProvider?: TracerProvider | undefined;
  /** @default the global propagator; W3C trace context when none is registered */
  propagator?: TextMapPropagator | undefined;
}

/**
 * Runs `handle` inside a server span (`tools/call add`, kind SERVER) that
 * continues the caller's trace: from the request's `params._meta` first, then
 * from the HTTP `traceparent` header. Calls made through a traced pool inside
 * `handle` become its children, so one trace runs host → gateway → pool → server.
 * Needs a context manager (`AsyncLocalStorageContextManager`) to carry the
 * span across `await`s, as any OpenTelemetry setup for Node registers.
 */
export function traceIncoming<T>(
  request: IncomingRequest,
  handle: () => Promise<T>,
  options: IncomingOptions = {},
): Promise<T> {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(
    '@mcpool/opentelemetry',
    VERSION,
  );
  const meta = (request.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
  const parent = extractFrom(context.active(), meta, request.headers, options.propagator);
  const target = (request.params as { name?: unknown; uri?: unknown } | undefined) ?? {};
  const info = {
    method: request.method,
    params: request.params,
    safe: true,
    target:
      typeof target.name === 'string'
        ? target.name
        : typeof target.uri === 'string'
          ? target.uri
          : undefined,
  };
  const span = tracer.startSpan(
    spanName(info, false),
    { kind: SpanKind.SERVER, attributes: requestAttributes(info), startTime: now() },
    parent,
  );
  if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return handle();
  if (request.requestId !== undefined) span.setAttribute(ATTR.requestId, String(request.requestId));
  if (request.sessionId !== undefined) span.setAttribute(ATTR.sessionId, request.sessionId);
  if (request.protocolVersion !== undefined) {
    span.setAttribute(ATTR.protocolVersion, request.protocolVersion);
  }
  let pending: Promise<T>;
  try {
    pending = context.with(trace.setSpan(parent, span), handle);
  } catch (error) {
    pending = Promise.reject(error);
  }
  return pending.then(
    (value) => {
      if ((value as { isError?: unknown } | undefined)?.isError === true) {
        span.setAttribute(ATTR.errorType, 'tool_error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'the tool answered with isError' });
      }
      span.end();
      return value;
    },
    (error: unknown) => {
      span.setAttribute(ATTR.errorType, errorType(error));
      const code = jsonRpcCode(error);
      if (code !== undefined) span.setAttribute(ATTR.statusCode, code);
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
      span.end();
      throw error;
    },
  );
}
