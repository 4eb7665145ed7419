import { priority } from '@mcpool/balancers';
import { InvalidConfigError, MultiServerClient, ServerPool } from '@mcpool/core';
import { type InProcessTestServer, startHttpServer, startInProcessServer } from '@mcpool/testkit';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type JSONRPCMessage,
  LATEST_PROTOCOL_VERSION,
  type MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parentOf } from './test-otel.js';
import { attemptsOf, cleanup, inProcess, only, setup } from './test-pool.js';
import { tracing } from './tracing.js';

describe('tracing() spans', () => {
  it('traces a plain call: a client span, one attempt span under it, trace context to the server', async () => {
    const [a] = inProcess('a');
    const { otel, client } = await setup([a as InProcessTestServer]);
    await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });

    const call = only(otel.named('tools/call add'));
    expect(call.kind).toBe(SpanKind.CLIENT);
    expect(call.status.code).toBe(SpanStatusCode.UNSET);
    expect(call.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
      'gen_ai.operation.name': 'execute_tool',
      'mcpool.aggregation': 'first',
      'mcpool.balancer': 'round_robin',
      'mcpool.attempts': 1,
      'mcpool.fallback.used': false,
      'mcpool.outcome': 'answered',
      'mcpool.server.id': 'a',
    });
    const attempt = only(attemptsOf(otel.spans(), call));
    expect(attempt.name).toBe('tools/call add on a');
    expect(attempt.kind).toBe(SpanKind.CLIENT);
    expect(attempt.spanContext().traceId).toBe(call.spanContext().traceId);
    expect(attempt.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
      'mcpool.server.id': 'a',
      'mcpool.attempt.number': 1,
      'mcpool.attempt.kind': 'first',
      'mcpool.attempt.outcome': 'success',
      // The id the server received, as a string, and the version the session agreed on.
      'jsonrpc.request.id': String(a?.state.requestIds.at(-1)),
      'mcp.protocol.version': LATEST_PROTOCOL_VERSION,
    });
    expect(a?.state.requestIds.at(-1)).toBeDefined();
    expect(call.attributes['mcp.protocol.version']).toBe(LATEST_PROTOCOL_VERSION);
    expect(call.attributes['jsonrpc.request.id']).toBeUndefined();
    // On one clock: the attempt lies within its call, to the microsecond.
    const t = (x: [number, number]) => x[0] * 1e6 + x[1] / 1e3;
    expect(t(attempt.startTime)).toBeGreaterThanOrEqual(t(call.startTime));
    expect(t(attempt.endTime)).toBeLessThanOrEqual(t(call.endTime));
    // The server was handed the attempt's own context in params._meta.
    const meta = a?.state.metas.at(-1);
    expect(meta?.traceparent).toBe(
      `00-${attempt.spanContext().traceId}-${attempt.spanContext().spanId}-01`,
    );

    const metrics = await otel.metrics();
    const metric = metrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'mcp.client.operation.duration');
    expect(metric?.descriptor.unit).toBe('s');
    const point = only<{ attributes: Record<string, unknown>; value: unknown }>(
      metric?.dataPoints ?? [],
    );
    expect((point.value as { count: number }).count).toBe(1);
    expect(point.attributes).toMatchObject({
      'mcp.method.name': 'tools/call',
      'gen_ai.tool.name': 'add',
    });
    expect(point.attributes['error.type']).toBeUndefined();
  });

  it('records the server address of an HTTP server and marks an isError answer as a tool error', async () => {
    const a = await startHttpServer({ id: 'a' });
    const { otel, client } = await setup([a]);
    await client.callTool({ name: 'fail', arguments: {} });
    const call = only(otel.named('tools/call fail'));
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes).toMatchObject({
      'error.type': 'tool_error',
      'mcpool.outcome': 'tool-error',
      'server.address': '127.0.0.1',
      'server.port': a.port,
      'network.transport': 'tcp',
    });
    const attempt = only(attemptsOf(otel.spans(), call));
    expect(attempt.attributes['mcpool.attempt.outcome']).toBe('tool-error');
    expect(attempt.attributes['mcp.session.id']).toMatch(/\S/);
    expect(attempt.attributes['mcp.protocol.version']).toBe(LATEST_PROTOCOL_VERSION);
    expect(attempt.attributes['jsonrpc.request.id']).toBe(String(a.state.requestIds.at(-1)));
  });

  it('traces a retry after a server was killed: the failed attempt, then the retry with its reason', async () => {
    const a = await startHttpServer({ id: 'a' });
    const b = await startHttpServer({ id: 'b' });
    const { otel, client } = await setup([a, b], {
      pool: { balancer: priority() },
      priorities: [10, 0],
      client: { backoff: { baseMs: 1, maxMs: 2 } },
    });
    await a.kill();
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });

    const call = only(otel.named('tools/call add'));
    expect(call.attributes).toMatchObject({ 'mcpool.attempts': 2, 'mcpool.outcome': 'answered' });
    expect(call.attributes['mcpool.server.id']).toBe('b');
    const [first, retry] = attemptsOf(otel.spans(), call);
    expect(first?.attributes).toMatchObject({
      'mcpool.server.id': 'a',
      'mcpool.attempt.kind': 'first',
      'mcpool.attempt.outcome': 'server-error',
    });
    expect(first?.status.code).toBe(SpanStatusCode.ERROR);
    const reason = first?.attributes['error.type'];
    expect(reason).toMatch(/\S/);
    expect(retry?.attributes).toMatchObject({
      'mcpool.server.id': 'b',
      'mcpool.attempt.number': 2,
      'mcpool.attempt.kind': 'retry',
      'mcpool.retry.from': 'a',
      'mcpool.retry.reason': reason,
      'mcpool.attempt.outcome': 'success',
    });
  });

  it('traces a failover: the server that failed, then the fallback that answered', async () => {
    const [a, b] = inProcess('a', 'b') as [InProcessTestServer, InProcessTestServer];
    a.state.mode = 'error';
    const { otel, client } = await setup([a, b], {
      pool: { balancer: priority() },
      priorities: [10, 0],
      client: { maxRetries: 0, fallback: { order: ['b'] } },
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const call = only(otel.named('tools/call add'));
    expect(call.attributes).toMatchObject({
      'mcpool.attempts': 2,
      'mcpool.fallback.used': true,
      'mcpool.outcome': 'answered',
      'mcpool.server.id': 'b',
    });
    const [failed, fallback] = attemptsOf(otel.spans(), call);
    expect(failed?.attributes).toMatchObject({
      'mcpool.server.id': 'a',
      'error.type': '-32603',
      'rpc.response.status_code': '-32603',
      'mcpool.attempt.outcome': 'server-error',
    });
    expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
    expect(fallback?.attributes).toMatchObject({
      'mcpool.server.id': 'b',
      'mcpool.attempt.kind': 'fallback',
      'mcpool.retry.from': 'a',
      'mcpool.retry.reason': '-32603',
    });
    // Each attempt names the request its own server received, the failed one too.
    expect(a.state.requestIds).toHaveLength(1);
    expect(b.state.requestIds).toHaveLength(1);
    expect(failed?.attributes['jsonrpc.request.id']).toBe(String(a.state.requestIds[0]));
    expect(fallback?.attributes['jsonrpc.request.id']).toBe(String(b.state.requestIds[0]));
    expect(call.attributes['mcp.protocol.version']).toBe(LATEST_PROTOCOL_VERSION);
    expect(fallback?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('leaves the protocol version off the call span when its attempts went on sessions of different versions', async () => {
    const [a, b] = inProcess('a', 'b') as [InProcessTestServer, InProcessTestServer];
    a.state.mode = 'error';
    const older = speaking('2025-06-18', b);
    const { otel, client } = await setup([a, older], {
      pool: { balancer: priority() },
      priorities: [10, 0],
      client: { maxRetries: 0, fallback: { order: ['b'] } },
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const call = only(otel.named('tools/call add'));
    const [failed, fallback] = attemptsOf(otel.spans(), call);
    expect(failed?.attributes['mcp.protocol.version']).toBe(LATEST_PROTOCOL_VERSION);
    expect(fallback?.attributes['mcp.protocol.version']).toBe('2025-06-18');
    expect(call.attributes['mcpool.server.id']).toBe('b');
    expect(call.attributes['mcp.protocol.version']).toBeUndefined();
  });

  it('says when an unsafe call may have run, on the call span', async () => {
    const [a, b] = inProcess('a', 'b') as [InProcessTestServer, InProcessTestServer];
    a.state.mode = 'error';
    b.state.mode = 'error';
    const { otel, client } = await setup([a, b]);
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toThrow();
    const call = only(otel.named('tools/call counter'));
    expect(call.status.code).toBe(SpanStatusCode.ERROR);
    expect(call.attributes).toMatchObject({
      'mcpool.outcome': 'may-have-run',
      'mcpool.may_have_run': true,
      'error.type': 'REQUEST_MAY_HAVE_RUN',
      'mcpool.attempts': 1,
    });
    const point = (await otel.metrics()).scopeMetrics[0]?.metrics[0]?.dataPoints[0];
    expect(point?.attributes['error.type']).toBe('REQUEST_MAY_HAVE_RUN');
  });

  it('continues the caller’s trace: the server receives the caller’s trace id', async () => {
    const [a] = inProcess('a') as InProcessTestServer[];
    const { otel, client } = await setup([a as InProcessTestServer]);
    const tracer = otel.tracerProvider.getTracer('test');
    const outer = await tracer.startActiveSpan('host', async (span) => {
      await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
      span.end();
      return span;
    });
    const call = only(otel.named('tools/call add'));
    expect(parentOf(call)).toBe(outer.spanContext().spanId);
    const traceparent = String(a?.state.metas.at(-1)?.traceparent);
    expect(traceparent.split('-')[1]).toBe(outer.spanContext().traceId);
  });

  it('records server state changes as short spans of their own', async () => {
    const [a, b] = inProcess('a', 'b') as InProcessTestServer[];
    const { otel, pool } = await setup([a, b] as InProcessTestServer[]);
    pool.exclude('a', 'operator', 'maintenance');
    pool.include('a', 'operator');
    const down = only(otel.named('mcpool server unhealthy'));
    expect(down.attributes).toMatchObject({
      'mcpool.server.id': 'a',
      'mcpool.source': 'operator',
      'mcpool.reason': 'maintenance',
    });
    expect(down.kind).toBe(SpanKind.INTERNAL);
    const back = otel
      .named('mcpool server healthy')
      .filter((s) => s.attributes['mcpool.source'] === 'operator');
    expect(only(back).attributes['mcpool.server.id']).toBe('a');
    const c = startInProcessServer({ id: 'c' });
    cleanup(() => c.close());
    pool.addServer({ id: 'c', transport: c.transport });
    expect(only(otel.named('mcpool server added')).attributes['mcpool.server.id']).toBe('c');
  });
});

describe('tracing() setup', () => {
  it('names every bad option with its path', () => {
    expect(() =>
      tracing({
        // @ts-expect-error a wrong type on purpose
        tracerProvider: {},
        // @ts-expect-error an unknown event on purpose
        events: { noisy: true, background: 'yes' },
      }),
    ).toThrow(InvalidConfigError);
    try {
      // @ts-expect-error an unknown event on purpose
      tracing({ tracerProvider: {}, events: { noisy: true, background: 'yes' } });
    } catch (error) {
      const paths = (error as InvalidConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(['tracerProvider', 'events.noisy', 'events.background']);
    }
  });

  it('refuses a client whose pool it is not installed on, and a second pool', async () => {
    const pool = new ServerPool();
    const other = new ServerPool();
    cleanup(
      () => pool.close(),
      () => other.close(),
    );
    const telemetry = tracing();
    expect(() => telemetry.traceClient(new MultiServerClient(pool))).toThrow(/pool\.use/);
    pool.use(telemetry);
    expect(() => telemetry.traceClient(new MultiServerClient(other))).toThrow(
      /one tracing\(\) per pool/,
    );
    expect(() => other.use(telemetry)).toThrow(/one tracing\(\) per pool/);
  });

  it('with no provider registered it records nothing and leaves requests as they were', async () => {
    const [a] = inProcess('a') as InProcessTestServer[];
    const pool = new ServerPool({
      servers: [{ id: 'a', transport: (a as InProcessTestServer).transport }],
    });
    const telemetry = tracing();
    pool.use(telemetry);
    await pool.start();
    const client = new MultiServerClient(pool);
    telemetry.traceClient(client);
    cleanup(async () => {
      await pool.close();
      await a?.close();
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(a?.state.metas.at(-1)).toBeUndefined();
  });
});

describe('tracing() when a call is not sampled', () => {
  it('records nothing but still hands the trace on, marked not sampled', async () => {
    const { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } =
      await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      sampler: new AlwaysOffSampler(),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const [a] = inProcess('a') as [InProcessTestServer];
    const pool = new ServerPool({ servers: [{ id: 'a', transport: a.transport }] });
    const telemetry = tracing({ tracerProvider: provider });
    pool.use(telemetry);
    await pool.start();
    const client = new MultiServerClient(pool);
    telemetry.traceClient(client);
    cleanup(async () => {
      await pool.close();
      await a.close();
      await provider.shutdown();
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(String(a.state.metas.at(-1)?.traceparent)).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});

/**
 * `server` as if it had answered initialize with an older protocol version
 * (one the client supports): the version is rewritten on its way in.
 */
function speaking(version: string, server: InProcessTestServer): InProcessTestServer {
  const create = async () => {
    const transport = await server.transport.create();
    let handler: Transport['onmessage'];
    Object.defineProperty(transport, 'onmessage', {
      configurable: true,
      get: () =>
        handler &&
        ((message: JSONRPCMessage, extra?: MessageExtraInfo) => {
          const result = (message as { result?: { protocolVersion?: unknown } }).result;
          if (result?.protocolVersion !== undefined) result.protocolVersion = version;
          handler?.(message, extra);
        }),
      set: (next: Transport['onmessage']) => {
        handler = next;
      },
    });
    return transport;
  };
  return {
    id: server.id,
    state: server.state,
    transport: { type: 'custom', create },
    close: () => server.close(),
  } as InProcessTestServer;
}
