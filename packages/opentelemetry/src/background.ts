import type { AttemptContext, RequestInfo } from '@mcpool/core';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ATTR, requestAttributes } from './attributes.js';
import type { CallHost } from './call-trace.js';
import { now } from './clock.js';
import { errorMessage, errorType } from './error-type.js';
import { injectInto } from './w3c.js';

/**
 * An attempt outside any traced call (a health check, the pool's own
 * request): a span of its own, at the root of its own trace.
 */
export async function runBackground(
  host: CallHost,
  context: AttemptContext,
  next: (context?: AttemptContext) => Promise<unknown>,
): Promise<unknown> {
  const { server, request } = context;
  const span = host.tracer.startSpan(
    `${request.method} on ${server.id}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...requestAttributes(request),
        ...host.server(server),
        [ATTR.attemptKind]: 'background',
      },
      startTime: now(),
    },
    ROOT_CONTEXT,
  );
  const params = (request.params ?? {}) as { _meta?: Record<string, unknown> };
  const meta: Record<string, unknown> = { ...params._meta };
  injectInto(meta, trace.setSpan(ROOT_CONTEXT, span), host.options.propagator);
  const sent: RequestInfo = { ...request, params: { ...params, _meta: meta } };
  try {
    return await next({ ...context, request: sent });
  } catch (error) {
    span.setAttribute(ATTR.errorType, errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    throw error;
  } finally {
    const id = context.requestId;
    if (id !== undefined) {
      span.setAttribute(ATTR.requestId, String(id));
      const version = context.protocolVersion ?? server.protocolVersion;
      if (version !== undefined) span.setAttribute(ATTR.protocolVersion, version);
    }
    span.end();
  }
}
