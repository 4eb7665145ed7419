import { AbortedError, EraMismatchError, TimeoutError } from '@mcpool/core';
import { classifyError, isUnsent } from '@mcpool/core/internal';
import { useCleanup } from '@mcpool/core/testing';
import { startHttpServer, startRoundRobinProxy, waitFor } from '@mcpool/testkit';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { connectModern, modernRig } from './test-connect.js';

const cleanup = useCleanup();

const { v2, open } = modernRig(cleanup);

const whoami = { name: 'whoami', arguments: {} };

describe('errors of the modern era, sorted as the legacy ones', () => {
  it('an abort is AbortedError; the request stream closes and the handler sees its signal fire', async () => {
    const server = await v2({ id: 'e' });
    const { connection } = await open(server.transport, '2026-07-28');
    const controller = new AbortController();
    const call = connection.request(
      'tools/call',
      { name: 'sleep', arguments: { ms: 10_000 } },
      { signal: controller.signal, timeout: 20_000 },
    );
    await waitFor(() => server.state.calls.sleep === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect(classifyError(error, false)).toBe('aborted');
    await waitFor(() => server.state.cancelled === 1);
    // The connection goes on.
    expect(connection.closed).toBe(false);
    await connection.request('tools/call', whoami, { timeout: 5_000 });
  });

  it('no answer in time is TimeoutError, a timeout for the failure rules', async () => {
    const server = await v2({ id: 'e', mode: 'hang' });
    const { connection } = await open(server.transport, '2026-07-28');
    const error = await connection
      .request('tools/call', whoami, { timeout: 200 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(classifyError(error, false)).toBe('timeout');
    expect(server.state.callCount).toBe(1);
  });

  it('a dropped stream may have run; a refused connection did not', async () => {
    const server = await v2({ id: 'e', latencyMs: 50 });
    const { connection } = await open(server.transport, '2026-07-28');
    server.state.mode = 'crash';
    const dropped = await connection
      .request('tools/call', whoami, { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(classifyError(dropped, false)).toBe('server-error');
    expect(isUnsent(dropped)).toBe(false);
    const refused = await connection
      .request('tools/call', whoami, { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(classifyError(refused, false)).toBe('server-error');
    expect(isUnsent(refused)).toBe(true);
  });

  it('a server fault (-32603) is a server error, as in the legacy era', async () => {
    const server = await v2({ id: 'e', mode: 'error' });
    const { connection } = await open(server.transport, '2026-07-28');
    const error = await connection.request('tools/call', whoami, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32603);
    expect(classifyError(error, false)).toBe('server-error');
  });

  it('a legacy server pinned to 2026-07-28 fails at connect, naming the era and what to set', async () => {
    const v1 = await startHttpServer({ id: 'old' });
    cleanup(() => v1.close());
    const error = await connectModern(v1.transport, '2026-07-28').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EraMismatchError);
    expect((error as EraMismatchError).serverEra).toBe('legacy');
    expect((error as Error).message).toMatch(/legacy era .*2026-07-28.*Set protocol: 'auto'/);
  });

  it('a header an intermediary rewrote (-32020) is refused and not retried', async () => {
    const server = await v2({ id: 'e' });
    const proxy = await startRoundRobinProxy([server.url]);
    cleanup(() => proxy.close());
    const { connection, heard } = await open(
      { type: 'streamable-http', url: proxy.url },
      '2026-07-28',
    );
    proxy.rewrite = (headers) => {
      if (headers['mcp-method'] === 'tools/call') headers['mcp-method'] = 'tools/list';
    };
    const error = await connection.request('tools/call', whoami, {}).catch((e: unknown) => e);
    expect((error as { code?: unknown }).code).toBe(-32020);
    expect(classifyError(error, false)).toBe('rejected');
    expect(heard.eraInDoubt).toEqual([]);
    // The v2 client sends it once more after refreshing its view of the tool; no more than that.
    expect(server.state.callCount).toBeLessThanOrEqual(2);
  });

  it('-32022 on a legacy connection to a server now modern-only: re-probed, sent once more', async () => {
    const dual = await v2({ id: 'dual' });
    const strict = await v2({ id: 'strict', legacy: 'reject' });
    const proxy = await startRoundRobinProxy([dual.url]);
    cleanup(() => proxy.close());
    const target = { type: 'streamable-http' as const, url: proxy.url };
    const reprobed = await open(target, 'auto', { prior: undefined });
    let reprobes = 0;
    const { connection, heard } = await open(target, 'auto', {
      prior: { kind: 'legacy', checkedAt: Date.now() },
      reprobe: async () => {
        reprobes++;
        return reprobed.connection;
      },
    });
    expect(connection.era).toBe('legacy');
    proxy.setUpstreams([strict.url]);
    const result = await connection.request('tools/call', whoami, { timeout: 5_000 });
    expect((result as { content: { text: string }[] }).content[0]?.text).toBe('strict');
    expect(reprobes).toBe(1);
    expect(heard.eraInDoubt).toHaveLength(1);
    // The testkit counts in front of the SDK: the legacy one is the refused (-32022) request.
    expect(strict.toolCallsByEra()).toEqual({ legacy: 1, modern: 1 });
    // Left open for requests still in flight; the pool retires it.
    expect(connection.closed).toBe(false);
  });
});
