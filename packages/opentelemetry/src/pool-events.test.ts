import { CircuitBreakers } from '@mcpool/circuit-breaker';
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { HealthChecker } from '@mcpool/health';
import { type InProcessTestServer, startInProcessServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { otelForTest } from './test-otel.js';
import { tracing } from './tracing.js';

const cleanup = useCleanup();

function servers(...ids: string[]): InProcessTestServer[] {
  const list = ids.map((id) => startInProcessServer({ id }));
  cleanup(async () => {
    await Promise.all(list.map((s) => s.close()));
  });
  return list;
}

describe('breakers and health checks in traces', () => {
  it('records each attempt’s breaker state, and the breaker opening as a span', async () => {
    const [a, b] = servers('a', 'b') as [InProcessTestServer, InProcessTestServer];
    a.state.mode = 'error';
    const otel = otelForTest();
    const pool = new ServerPool({
      servers: [
        { id: 'a', transport: a.transport },
        { id: 'b', transport: b.transport },
      ],
    });
    const breakers = new CircuitBreakers({
      volumeThreshold: 2,
      errorThresholdPercentage: 50,
      resetTimeout: 60_000,
    });
    pool.use(breakers);
    const telemetry = tracing({ tracerProvider: otel.tracerProvider, breakers });
    pool.use(telemetry);
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool, { backoff: { baseMs: 0, maxMs: 1 } });
    telemetry.traceClient(client);
    cleanup(async () => {
      await pool.close();
      await otel.close();
    });
    for (let i = 0; i < 6; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });

    const opened = otel
      .named('mcpool server unhealthy')
      .find((s) => s.attributes['mcpool.source'] === 'breaker');
    expect(opened?.attributes['mcpool.server.id']).toBe('a');
    expect(String(opened?.attributes['mcpool.reason'])).toMatch(/circuit open/);
    const onA = otel.spans().filter((s) => s.name === 'tools/call add on a');
    expect(onA.length).toBeGreaterThanOrEqual(2);
    // The attempts that tripped it ran through a closed circuit.
    for (const s of onA) expect(s.attributes['mcpool.breaker.state']).toBe('closed');
    expect(breakers.getState('a')?.state).toBe('open');
  });

  it('traces health checks only when asked to, each at the root of its own trace', async () => {
    const [a] = servers('a') as [InProcessTestServer];
    const otel = otelForTest();
    const pool = new ServerPool({ servers: [{ id: 'a', transport: a.transport }] });
    pool.use(new HealthChecker({ interval: 50, timeout: 500 }));
    pool.use(tracing({ tracerProvider: otel.tracerProvider, events: { background: true } }));
    cleanup(async () => {
      await pool.close();
      await otel.close();
    });
    await pool.start({ strict: true });
    const check = await waitFor(() => otel.named('ping on a')[0], {
      message: 'a traced health check',
    });
    expect(check.attributes).toMatchObject({
      'mcp.method.name': 'ping',
      'mcpool.server.id': 'a',
      'mcpool.attempt.kind': 'background',
    });
    expect(check.parentSpanContext).toBeUndefined();
  });

  it('leaves health checks out by default', async () => {
    const [a] = servers('a') as [InProcessTestServer];
    const otel = otelForTest();
    const pool = new ServerPool({ servers: [{ id: 'a', transport: a.transport }] });
    const checker = new HealthChecker({ interval: 50, timeout: 500 });
    pool.use(checker);
    pool.use(tracing({ tracerProvider: otel.tracerProvider }));
    cleanup(async () => {
      await pool.close();
      await otel.close();
    });
    let checks = 0;
    checker.on('check', () => {
      checks++;
    });
    await pool.start({ strict: true });
    await waitFor(() => checks >= 3, { message: 'three health checks' });
    expect(otel.named('ping on a')).toEqual([]);
  });
});
