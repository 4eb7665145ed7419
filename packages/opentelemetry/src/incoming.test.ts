import { useCleanup } from '@mcpool/core/testing';
import { SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { traceIncoming } from './incoming.js';
import { otelForTest, parentOf } from './test-otel.js';
import { formatTraceparent, parseTraceparent } from './w3c.js';

const META_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const HEADER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const meta = { traceparent: `00-${META_TRACE}-00f067aa0ba902b7-01`, tracestate: 'rojo=1' };
const headers = { traceparent: `00-${HEADER_TRACE}-b7ad6b7169203331-01` };

const cleanup = useCleanup();

function otel() {
  const o = otelForTest();
  cleanup(() => o.close());
  return o;
}

describe('traceIncoming()', () => {
  for (const propagator of [undefined, new W3CTraceContextPropagator()]) {
    const how = propagator ? 'with a W3C propagator' : 'with no propagator registered';
    it(`continues the trace of params._meta before the traceparent header (${how})`, async () => {
      const o = otel();
      const seen = await traceIncoming(
        {
          method: 'tools/call',
          params: { name: 'add', _meta: meta },
          requestId: 7,
          sessionId: 'sess-1',
          headers,
        },
        async () => trace.getActiveSpan()?.spanContext(),
        { tracerProvider: o.tracerProvider, propagator },
      );
      const span = o.named('tools/call add')[0];
      expect(span?.kind).toBe(SpanKind.SERVER);
      expect(span?.spanContext().traceId).toBe(META_TRACE);
      expect(parentOf(span as never)).toBe('00f067aa0ba902b7');
      expect(span?.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'add',
        'jsonrpc.request.id': '7',
        'mcp.session.id': 'sess-1',
      });
      // The handler runs inside the server span.
      expect(seen?.spanId).toBe(span?.spanContext().spanId);
    });

    it(`falls back to the header when _meta has no trace context (${how})`, async () => {
      const o = otel();
      await traceIncoming(
        { method: 'tools/call', params: { name: 'add', _meta: { other: 1 } }, headers },
        async () => undefined,
        { tracerProvider: o.tracerProvider, propagator },
      );
      expect(o.named('tools/call add')[0]?.spanContext().traceId).toBe(HEADER_TRACE);
    });
  }

  it('starts a new trace when the context is malformed, and marks failures', async () => {
    const o = otel();
    await expect(
      traceIncoming(
        { method: 'prompts/get', params: { name: 'p', _meta: { traceparent: 'garbage' } } },
        async () => {
          throw Object.assign(new Error('no such prompt'), { code: -32602 });
        },
        { tracerProvider: o.tracerProvider },
      ),
    ).rejects.toThrow('no such prompt');
    const span = o.named('prompts/get p')[0];
    expect(parentOf(span as never)).toBeUndefined();
    expect(span?.attributes).toMatchObject({
      'error.type': '-32602',
      'rpc.response.status_code': '-32602',
    });
  });
});

describe('traceparent', () => {
  it('formats and parses, and refuses what is malformed', () => {
    const context = parseTraceparent(meta.traceparent, 'a=1,b=2');
    expect(context && formatTraceparent(context)).toBe(meta.traceparent);
    expect(context?.traceState?.get('b')).toBe('2');
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeUndefined();
    expect(parseTraceparent('00-xyz-00f067aa0ba902b7-01')).toBeUndefined();
    expect(parseTraceparent(42)).toBeUndefined();
  });
});
