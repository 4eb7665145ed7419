import { startHttpServer, startInProcessServer } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import type { AttemptReport } from '../spec/attempt.js';
import type { ServerView } from '../spec/server.js';
import { startPool, useCleanup } from '../testing/index.js';

const cleanup = useCleanup();

const add = { name: 'add', arguments: { a: 1, b: 2 } };

describe('what an attempt sent: its JSON-RPC id and the session’s protocol version', () => {
  it('reports the id the server received, with and without a signal of the call’s own', async () => {
    const server = cleanup(startInProcessServer({ id: 's1' }));
    const pool = await startPool([server], { cleanup });
    const client = cleanup(new MultiServerClient(pool));
    const reports: AttemptReport[] = [];
    pool.on('attempt', (report) => reports.push(report));

    // Without a signal the call shares one (the cancellable path); with one it has its own.
    await client.callTool(add);
    await client.callTool(add, { signal: new AbortController().signal });

    expect(server.state.requestIds).toHaveLength(2);
    expect(reports.map((r) => r.requestId)).toEqual(server.state.requestIds);
    expect(new Set(server.state.requestIds).size).toBe(2);
    expect(reports.map((r) => r.protocolVersion)).toEqual([
      LATEST_PROTOCOL_VERSION,
      LATEST_PROTOCOL_VERSION,
    ]);
    expect(pool.server('s1')?.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
  });

  it('shows wrapAttempt the id once sent, also outside a middleware that changed the request', async () => {
    const server = cleanup(startInProcessServer({ id: 's1' }));
    const pool = await startPool([server], { cleanup });
    const client = cleanup(new MultiServerClient(pool));
    const seen: { before: unknown; after: unknown; version: unknown; reported?: unknown }[] = [];
    pool.use({
      name: 'outer',
      wrapAttempt: async (context, next) => {
        const before = context.requestId;
        const value = await next();
        seen.push({ before, after: context.requestId, version: context.protocolVersion });
        return value;
      },
      onAttempt: (report) => {
        const last = seen.at(-1);
        if (last) last.reported = report.requestId;
      },
    });
    pool.use({
      name: 'inner',
      // Sends a changed request, as tracing does with trace context in `_meta`.
      wrapAttempt: (context, next) =>
        next({
          ...context,
          request: {
            ...context.request,
            params: { ...(context.request.params as object), _meta: { tag: 'x' } },
          },
        }),
    });

    await client.callTool(add);

    const id = server.state.requestIds.at(-1);
    expect(server.state.metas.at(-1)).toEqual({ tag: 'x' });
    expect(id).toBeDefined();
    expect(seen).toEqual([
      { before: undefined, after: id, version: LATEST_PROTOCOL_VERSION, reported: id },
    ]);
  });

  it('reports nothing sent for an attempt that never reached a server', async () => {
    const server = cleanup(startInProcessServer({ id: 's1' }));
    const pool = await startPool([server], { cleanup });
    const reports: AttemptReport[] = [];
    pool.on('attempt', (report) => reports.push(report));
    const aborted = AbortSignal.abort(new Error('gave up'));
    await expect(
      pool.execute(
        pool.server('s1') as ServerView,
        { method: 'ping', params: {}, safe: true },
        {
          signal: aborted,
        },
      ),
    ).rejects.toThrow();
    expect(reports).toHaveLength(1);
    expect(reports[0]?.requestId).toBeUndefined();
    expect(reports[0]?.protocolVersion).toBeUndefined();
  });

  it('keeps handing an HTTP transport its version while keeping it for the pool', async () => {
    const server = await startHttpServer({ id: 'h1' });
    cleanup(server);
    const made: StreamableHTTPClientTransport[] = [];
    const url = (server.transport as { url: string }).url;
    const pool = await startPool(
      [
        {
          id: 'h1',
          transport: {
            type: 'custom',
            create: () => {
              const transport = new StreamableHTTPClientTransport(new URL(url));
              made.push(transport);
              return transport;
            },
          },
        },
      ],
      { cleanup },
    );
    const client = cleanup(new MultiServerClient(pool));
    const reports: AttemptReport[] = [];
    pool.on('attempt', (report) => reports.push(report));
    await client.callTool(add);

    expect(made[0]?.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(pool.server('h1')?.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(reports[0]?.protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    expect(reports[0]?.requestId).toBe(server.state.requestIds.at(-1));
  });

  it('reports the id of the re-sent request when the server forgot the session (HTTP 404)', async () => {
    const server = await startHttpServer({ id: 'h1' });
    cleanup(server);
    const pool = await startPool([server], { cleanup });
    const client = cleanup(new MultiServerClient(pool, { maxRetries: 0 }));
    const reports: AttemptReport[] = [];
    pool.on('attempt', (report) => reports.push(report));
    let renewed = 0;
    pool.on('server:session-renewed', () => {
      renewed++;
    });
    await client.callTool(add);
    await server.dropSessions();
    // 404 on the old session, a new one, the request sent again with the new session's id.
    await client.callTool(add);

    expect(renewed).toBeGreaterThanOrEqual(1);
    expect(server.state.requestIds).toHaveLength(2);
    expect(reports.map((r) => r.requestId)).toEqual(server.state.requestIds);
  });
});
