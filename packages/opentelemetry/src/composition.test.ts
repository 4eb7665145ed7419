import { fastest, majority } from '@mcpool/aggregators';
import { priority } from '@mcpool/balancers';
import { BatchClient } from '@mcpool/batch';
import { withCache } from '@mcpool/cache';
import type { InProcessTestServer } from '@mcpool/testkit';
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { parentOf } from './test-otel.js';
import { attemptsOf, cleanup, inProcess, only, setup } from './test-pool.js';

describe('tracing() with fan-out, a cache and a batch', () => {
  it('marks a hedged request as a hedge, and the slow first attempt it beat as cancelled', async () => {
    const [slow, quick] = inProcess('slow', 'quick') as [InProcessTestServer, InProcessTestServer];
    slow.state.latencyMs = 400;
    const { otel, client } = await setup([slow, quick], {
      pool: { balancer: priority() },
      priorities: [10, 0],
      client: { aggregation: fastest({ spread: 1, hedgeAfterMs: 30 }) },
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const call = only(otel.named('tools/call add'));
    expect(call.attributes['mcpool.server.id']).toBe('quick');
    const [first, hedge] = attemptsOf(otel.spans(), call);
    expect(first?.attributes).toMatchObject({
      'mcpool.server.id': 'slow',
      'mcpool.attempt.outcome': 'cancelled',
    });
    expect(hedge?.attributes).toMatchObject({
      'mcpool.server.id': 'quick',
      'mcpool.attempt.kind': 'hedge',
      'mcpool.attempt.number': 2,
      'mcpool.attempt.outcome': 'success',
    });
  });

  it('traces fastest: fan-out members, the winner, and the losers ended as cancelled', async () => {
    const [a, b, c] = inProcess('a', 'b', 'c') as InProcessTestServer[];
    (b as InProcessTestServer).state.latencyMs = 300;
    (c as InProcessTestServer).state.latencyMs = 300;
    const { otel, client } = await setup([a, b, c] as InProcessTestServer[], {
      client: { aggregation: fastest() },
    });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const call = only(otel.named('tools/call add'));
    expect(call.attributes).toMatchObject({
      'mcpool.aggregation': 'fastest',
      'mcpool.attempts': 3,
      'mcpool.server.id': 'a',
    });
    const attempts = attemptsOf(otel.spans(), call);
    expect(attempts).toHaveLength(3);
    for (const s of attempts) expect(s.attributes['mcpool.attempt.kind']).toBe('fan-out');
    const winner = attempts.find((s) => s.attributes['mcpool.server.id'] === 'a');
    expect(winner?.attributes['mcpool.attempt.outcome']).toBe('success');
    const losers = attempts.filter((s) => s.attributes['mcpool.server.id'] !== 'a');
    for (const loser of losers) {
      expect(loser.attributes['mcpool.attempt.outcome']).toBe('cancelled');
      expect(String(loser.attributes['mcpool.cancel.reason'])).toContain('answered first');
      expect(loser.status.code).toBe(SpanStatusCode.UNSET);
    }
  });

  it('traces majority: each voter says whether it voted with the answer', async () => {
    const servers = inProcess('a', 'b', 'c') as InProcessTestServer[];
    const [a, b, c] = servers as [InProcessTestServer, InProcessTestServer, InProcessTestServer];
    // The dissenter answers first, so every vote is in before the verdict.
    a.state.answerOffset = 100;
    b.state.latencyMs = 30;
    c.state.latencyMs = 60;
    const { otel, client } = await setup(servers, { client: { aggregation: majority() } });
    await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const call = only(otel.named('tools/call add'));
    expect(call.attributes['mcpool.aggregation']).toBe('majority');
    // The answer is the majority's: the dissenter answered first, but not for the call.
    expect(call.attributes['mcpool.server.id']).toBe('b');
    const votes = Object.fromEntries(
      attemptsOf(otel.spans(), call).map((s) => [
        s.attributes['mcpool.server.id'],
        s.attributes['mcpool.vote'],
      ]),
    );
    expect(votes).toEqual({ a: 'dissent', b: 'with-majority', c: 'with-majority' });
    // Voters keep their own end times, not the verdict's.
    const dissent = attemptsOf(otel.spans(), call).find(
      (s) => s.attributes['mcpool.server.id'] === 'a',
    );
    expect(dissent && dissent.endTime[0] * 1e3 + dissent.endTime[1] / 1e6).toBeLessThan(
      call.endTime[0] * 1e3 + call.endTime[1] / 1e6,
    );
  });

  it('traces a cache hit as a call with no attempt', async () => {
    const [a] = inProcess('a') as InProcessTestServer[];
    const { otel, client } = await setup([a as InProcessTestServer]);
    const cache = withCache(client, { ttl: { tool: 60_000 } });
    cleanup(async () => {
      await cache.close();
    });
    await client.callTool({ name: 'add', arguments: { a: 4, b: 4 } });
    await client.callTool({ name: 'add', arguments: { a: 4, b: 4 } });
    const calls = otel.named('tools/call add');
    expect(calls).toHaveLength(2);
    const [miss, hit] = calls as [ReadableSpan, ReadableSpan];
    expect(miss.attributes['mcpool.attempts']).toBe(1);
    expect(hit.attributes).toMatchObject({ 'mcpool.attempts': 0, 'mcpool.outcome': 'answered' });
    expect(attemptsOf(otel.spans(), hit)).toHaveLength(0);
    expect(a?.state.callCount).toBe(1);
  });

  it('traces a batch: each operation run is a call span under the span that queued it', async () => {
    const [a] = inProcess('a') as InProcessTestServer[];
    const { otel, client } = await setup([a as InProcessTestServer]);
    const batch = new BatchClient(client, { flushDelay: 5 });
    cleanup(() => batch.close());
    const tracer = otel.tracerProvider.getTracer('test');
    const handler = await tracer.startActiveSpan('handle request', async (span) => {
      await Promise.all([
        batch.callTool({ name: 'echo', arguments: { message: 'x' } }),
        batch.callTool({ name: 'echo', arguments: { message: 'x' } }),
        batch.callTool({ name: 'add', arguments: { a: 1, b: 2 } }),
      ]);
      span.end();
      return span;
    });
    const calls = otel
      .spans()
      .filter((s) => s.name.startsWith('tools/call') && !s.name.includes(' on '));
    // The two identical echoes ran once.
    expect(calls.map((s) => s.name).sort()).toEqual(['tools/call add', 'tools/call echo']);
    for (const call of calls) {
      expect(parentOf(call)).toBe(handler.spanContext().spanId);
      expect(call.spanContext().traceId).toBe(handler.spanContext().traceId);
      expect(attemptsOf(otel.spans(), call)).toHaveLength(1);
    }
  });
});
