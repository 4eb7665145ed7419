import type { Connection } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { STANDARD_TOOL_NAMES, startHttpServer, waitFor } from '@mcpool/testkit';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { modernRig } from './test-connect.js';

const cleanup = useCleanup();

const { v2, open } = modernRig(cleanup);

function text(result: unknown): string | undefined {
  return (result as { content?: { text?: string }[] }).content?.[0]?.text;
}

describe('modern connection facts', () => {
  it('auto reaches a dual-era server in the modern era, with a modern verdict', async () => {
    const server = await v2({ id: 'dual' });
    const { connection } = await open(server.transport, 'auto');
    expect(connection.era).toBe('modern');
    expect(connection.sessionful).toBe(false);
    expect(connection.verdict.kind).toBe('modern');
    expect(connection.protocolVersion).toBe('2026-07-28');
    expect(connection.serverCapabilities?.tools).toBeDefined();
    const result = await connection.request(
      'tools/call',
      { name: 'add', arguments: { a: 1, b: 2 } },
      {},
    );
    expect(text(result)).toBe('3');
    expect(server.toolCallsByEra()).toEqual({ legacy: 0, modern: 1 });
  });

  it('lists every page without the client cache and keeps ttlMs/cacheScope', async () => {
    const server = await v2({ id: 'dual' });
    const { connection } = await open(server.transport, '2026-07-28');
    const listed = (await connection.request('tools/list', {}, {})) as Record<string, unknown>;
    expect((listed.tools as unknown[]).length).toBe(STANDARD_TOOL_NAMES.length);
    expect(listed.nextCursor).toBeUndefined();
    // The server's cache hints survive the client (its cache bypassed) for @mcpool/cache.
    expect(listed).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
  });

  it('passes input_required through, and names the handler a server needs without one', async () => {
    const server = await v2({ id: 'dual' });
    const bare = await open(server.transport, '2026-07-28');
    const refused = await bare.connection
      .request('tools/call', { name: 'elicit', arguments: {} }, {})
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32021);
    expect((refused as Error).message).toMatch(
      /elicitation: register a handler for it in the pool's `handlers`/,
    );
    let asked = 0;
    const { connection } = await open(server.transport, '2026-07-28', {
      handlers: {
        elicitation: async () => {
          asked++;
          return { action: 'accept', content: { answer: 'x' } };
        },
      },
    });
    const result = (await connection.request(
      'tools/call',
      { name: 'elicit', arguments: {} },
      {},
    )) as Record<string, unknown>;
    expect(result.resultType).toBe('input_required');
    expect(Object.keys(result.inputRequests as object)).toEqual(['answer']);
    // Passed to the caller, not fulfilled by the client.
    expect(asked).toBe(0);
    expect(server.state.calls.elicit).toBe(2);
  });

  it('an unknown tool is the McpError -32602 of the legacy era', async () => {
    const server = await v2({ id: 'dual' });
    const { connection, heard } = await open(server.transport, '2026-07-28');
    const error = await connection
      .request('tools/call', { name: 'nope', arguments: {} }, {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
    expect((error as Error).message).toBe('MCP error -32602: Tool nope not found');
    expect(heard.notifications).toContain('notifications/tools/list_changed');
  });

  it('check() uses discover on a modern connection', async () => {
    const server = await v2({ id: 'dual' });
    const { connection } = await open(server.transport, 'auto');
    await connection.check({ timeout: 2_000 });
    const v1 = await startHttpServer({ id: 'v1' });
    cleanup(() => v1.close());
    const legacy = await open(v1.transport, 'auto');
    expect(legacy.connection.era).toBe('legacy');
    expect(legacy.connection.sessionful).toBe(true);
    await legacy.connection.check({ timeout: 2_000 });
  });

  it('follows tool list changes through subscriptions/listen', async () => {
    const server = await v2({ id: 'dual' });
    const { connection, heard } = await open(server.transport, '2026-07-28');
    const following = await connection.follow({ toolsListChanged: true });
    server.state.addTool('late');
    await waitFor(() => heard.notifications.includes('notifications/tools/list_changed'));
    await following.close();
    expect(await following.closed).toBe('local');
  });
});

export type { Connection };
