import { AbortedError, TimeoutError, UnknownCapabilityError } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import {
  startRoundRobinProxy,
  startV2HttpServer,
  type V2HttpTestServer,
  waitFor,
} from '@mcpool/testkit';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { firstText, modernPool } from './test-pool.js';

const cleanup = useCleanup();

const sleep10s = { name: 'sleep', arguments: { ms: 10_000 } };
const whoami = { name: 'whoami', arguments: {} };

describe('the pool in the modern era', () => {
  it('modern replicas behind a round-robin proxy: any request on any replica, no session anywhere', async () => {
    const replicas = await Promise.all(
      ['r1', 'r2', 'r3'].map(async (id) =>
        cleanup(await startV2HttpServer({ id, legacy: 'reject', latencyMs: 5 })),
      ),
    );
    const proxy = cleanup(await startRoundRobinProxy(replicas.map((r) => r.url)));
    const { pool, client } = await modernPool(
      cleanup,
      [{ id: 'replicas', transport: { type: 'streamable-http', url: proxy.url } }],
      { pool: { maxConnectionsPerServer: 3 } },
    );
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe('modern');
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        client.callTool({ name: 'add', arguments: { a: i, b: 1 } }),
      ),
    );
    expect(answers.map(firstText)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
    for (const replica of replicas) {
      expect(replica.toolCallsByEra()).toMatchObject({ legacy: 0 });
      expect(replica.toolCallsByEra().modern).toBeGreaterThanOrEqual(5);
    }
    expect(replicas.reduce((n, r) => n + r.toolCallsByEra().modern, 0)).toBe(30);
    expect(pool.sessionIds('replicas')).toEqual([]);
    // Lists and reads land anywhere too.
    expect((await client.listTools()).length).toBeGreaterThan(5);
    expect([...proxy.forwarded.values()].every((n) => n > 10)).toBe(true);
  });

  it('a caller abort reaches the modern server: the stream closes and its handler sees the signal', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [{ id: 'm', transport: server.transport }]);
    const controller = new AbortController();
    const call = client.callTool(sleep10s, { signal: controller.signal });
    await waitFor(() => server.state.calls.sleep === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortedError);
    await waitFor(() => server.state.cancelled === 1);
  });

  it('a deadline is a TimeoutError and the server is told', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [{ id: 'm', transport: server.transport }]);
    const error = await client.callTool(sleep10s, { timeout: 300 }).catch((e: unknown) => e);
    // sleep is not safe to repeat: the timeout says it may have run.
    expect((error as { code?: unknown }).code).toMatch(/TIMEOUT|REQUEST_MAY_HAVE_RUN/);
    const cause = (error as { cause?: unknown }).cause ?? error;
    expect(error instanceof TimeoutError || cause instanceof TimeoutError).toBe(true);
    await waitFor(() => server.state.cancelled === 1);
    expect(server.state.calls.sleep).toBe(1);
  });

  it('an unknown tool gives the same error in both eras, then the refreshed catalog says so', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', extraTools: ['late'] }));
    const legacy = await modernPool(
      cleanup,
      [{ id: 'm', transport: server.transport, protocol: 'legacy' }],
      { modern: false },
    );
    const modern = await modernPool(cleanup, [
      { id: 'm', transport: server.transport, protocol: '2026-07-28' },
    ]);
    server.state.removeTool('late');
    const late = { name: 'late', arguments: {} };
    const [legacyError, modernError] = await Promise.all([
      legacy.client.callTool(late).catch((e: unknown) => e),
      modern.client.callTool(late).catch((e: unknown) => e),
    ]);
    for (const error of [legacyError, modernError]) {
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(-32602);
      expect((error as Error).message).toBe('MCP error -32602: Tool late not found');
    }
    // The modern connection took the -32602 as a sign the catalog changed and refreshed it.
    await waitFor(async () => !(await modern.client.listTools()).some((t) => t.name === 'late'));
    await expect(modern.client.callTool(late)).rejects.toBeInstanceOf(UnknownCapabilityError);
  });

  it('passes input_required to the caller and never retries it elsewhere', async () => {
    const servers = await Promise.all(
      ['m1', 'm2'].map(async (id) => cleanup(await startV2HttpServer({ id, legacy: 'reject' }))),
    );
    const { client } = await modernPool(
      cleanup,
      servers.map((s) => ({ id: s.id, transport: s.transport })),
      {
        pool: {
          handlers: { elicitation: async () => ({ action: 'accept', content: { answer: 'x' } }) },
        },
        client: { fallback: { enabled: true }, maxRetries: 3 },
      },
    );
    const result = (await client.callTool({ name: 'elicit', arguments: {} })) as Record<
      string,
      unknown
    >;
    expect(result.resultType).toBe('input_required');
    expect(result.inputRequests).toHaveProperty('answer');
    expect(servers.map((s) => s.state.calls.elicit ?? 0).reduce((a, b) => a + b)).toBe(1);
  });
});

describe('a dropped stream on a modern server', () => {
  it('may have run: an unsafe call is not repeated, a safe one goes to another server', async () => {
    const servers = await Promise.all(
      ['m1', 'm2'].map(async (id) =>
        cleanup(await startV2HttpServer({ id, legacy: 'reject', latencyMs: 20 })),
      ),
    );
    const [first, second] = servers as [V2HttpTestServer, V2HttpTestServer];
    const { client } = await modernPool(
      cleanup,
      servers.map((s) => ({ id: s.id, transport: s.transport })),
      { client: { fallback: { enabled: true }, maxRetries: 2 } },
    );
    // Both drop the stream mid-request: whichever gets the call, it may have run there.
    first.state.mode = 'crash';
    second.state.mode = 'crash';
    const unsafe = await client
      .callTool({ name: 'counter', arguments: {} })
      .catch((e: unknown) => e);
    expect((unsafe as { code?: unknown }).code).toBe('REQUEST_MAY_HAVE_RUN');
    expect((first.state.calls.counter ?? 0) + (second.state.calls.counter ?? 0)).toBe(1);
    second.state.mode = 'ok';
    await second.restart().catch(() => {});
    await first.restart().catch(() => {});
    // whoami is read-only: safe to repeat, so it is answered elsewhere.
    const answers = await Promise.all([client.callTool(whoami), client.callTool(whoami)]);
    expect(answers.map(firstText)).toEqual(['m2', 'm2']);
  });
});

describe('the catalog of a modern server', () => {
  it('is refreshed from subscriptions/listen when the server changes its tools', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [{ id: 'm', transport: server.transport }]);
    const names = async () => (await client.listTools()).map((t) => t.name);
    expect(await names()).not.toContain('late');
    server.state.addTool('late');
    await waitFor(async () => (await names()).includes('late'));
    expect(firstText(await client.callTool({ name: 'late', arguments: {} }))).toBe('late');
    server.state.removeTool('late');
    await waitFor(async () => !(await names()).includes('late'));
  });

  it('is refreshed after the listen stream dropped and came back (changes meanwhile not lost)', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [{ id: 'm', transport: server.transport }]);
    const names = async () => (await client.listTools()).map((t) => t.name);
    await server.kill();
    server.state.addTool('meanwhile');
    await server.restart();
    await waitFor(async () => (await names()).includes('meanwhile'), { timeoutMs: 10_000 });
  });
});
