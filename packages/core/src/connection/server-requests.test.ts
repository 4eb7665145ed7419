import {
  startHttpServer,
  startInProcessServer,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { ServerPool } from '../pool/server-pool.js';
import { useCleanup } from '../testing/index.js';

const cleanup = useCleanup();

describe('server-to-client traffic', () => {
  it('answers sampling, elicitation and roots requests from any server with the pool’s handlers', async () => {
    const a = startInProcessServer({ id: 'a' });
    const b = await startHttpServer({ id: 'b' });
    cleanup(
      () => a.close(),
      () => b.close(),
    );
    const asked: string[] = [];
    const pool = new ServerPool({
      handlers: {
        sampling: async (params, context) => {
          asked.push(`sampling:${context.serverId}`);
          const first = params.messages[0]?.content;
          const prompt = first && 'text' in first ? String(first.text) : '';
          return {
            role: 'assistant',
            model: 'test',
            content: { type: 'text', text: `echo ${prompt}` },
          };
        },
        elicitation: async (_params, context) => {
          asked.push(`elicitation:${context.serverId}`);
          return { action: 'accept', content: { answer: 'yes' } };
        },
        roots: (context) => {
          asked.push(`roots:${context.serverId}`);
          return { roots: [{ uri: 'file:///work', name: 'work' }] };
        },
      },
    });
    cleanup(() => pool.close());
    pool.addServer({ id: 'a', transport: a.transport });
    pool.addServer({ id: 'b', transport: b.transport });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    for (const server of ['a', 'b']) {
      const sampled = await client.callTool(
        { name: 'sample', arguments: { prompt: 'hi' } },
        { server },
      );
      expect(text(sampled)).toContain('echo hi');
      const elicited = await client.callTool({ name: 'elicit', arguments: {} }, { server });
      expect(text(elicited)).toContain('accept');
      const roots = await client.callTool({ name: 'roots', arguments: {} }, { server });
      expect(text(roots)).toContain('file:///work');
    }
    expect(asked.sort()).toEqual(
      ['elicitation:a', 'elicitation:b', 'roots:a', 'roots:b', 'sampling:a', 'sampling:b'].sort(),
    );
  });

  it('passes logging notifications on, tagged with their server', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(() => a.close());
    const pool = new ServerPool();
    cleanup(() => pool.close());
    pool.addServer({ id: 'a', transport: a.transport });
    await pool.start({ strict: true });
    const logs: { serverId: string; data: unknown }[] = [];
    pool.on('server:log', (e) => logs.push({ serverId: e.serverId, data: e.data }));
    const client = new MultiServerClient(pool);
    await client.callTool({ name: 'log', arguments: { message: 'hello from a' } });
    await new Promise((r) => setTimeout(r, 20));
    expect(logs).toEqual([{ serverId: 'a', data: 'hello from a' }]);
  });

  it('opens more sessions under load up to the limit and closes idle extras', async () => {
    const a = startInProcessServer({ id: 'a', latencyMs: 30 });
    cleanup(() => a.close());
    const pool = new ServerPool({ maxConnectionsPerServer: 3, idleTimeout: 1_000 });
    cleanup(() => pool.close());
    pool.addServer({ id: 'a', transport: a.transport });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    for (let round = 0; round < 4; round++) {
      await Promise.all(
        Array.from({ length: 6 }, () => client.callTool({ name: 'whoami', arguments: {} })),
      );
    }
    const open = pool.getMetrics().serverMetrics[0]?.connections ?? 0;
    expect(open).toBeGreaterThan(1);
    expect(open).toBeLessThanOrEqual(3);
    expect(a.connections()).toBe(open);
    // Extra sessions close once idle; one stays for notifications.
    await waitFor(() => pool.getMetrics().serverMetrics[0]?.connections === 1, {
      timeoutMs: 5_000,
    });
    expect(a.connections()).toBe(1);
  });
});

describe('list_changed from a server with several sessions', () => {
  it('is reported once per change, not once per session, and the catalog follows', async () => {
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    // One server process, as it were: every session sees the same tools, and a change is
    // announced to every session, as SDK servers do.
    const sessions: InstanceType<typeof McpServer>[] = [];
    let tools = ['slow'];
    const register = (server: InstanceType<typeof McpServer>, name: string) =>
      server.registerTool(name, { description: name }, async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { content: [{ type: 'text' as const, text: name }] };
      });
    const pool = new ServerPool({ maxConnectionsPerServer: 2 });
    cleanup(() => pool.close());
    pool.addServer({
      id: 's',
      transport: {
        type: 'custom',
        create: async () => {
          const server = new McpServer({ name: 's', version: '1.0.0' });
          for (const name of tools) register(server, name);
          sessions.push(server);
          const [client, side] = InMemoryTransport.createLinkedPair();
          await server.connect(side);
          return client;
        },
      },
    });
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    await Promise.all(
      Array.from({ length: 6 }, () => client.callTool({ name: 'slow', arguments: {} })),
    );
    expect(pool.getMetrics().serverMetrics[0]?.connections).toBe(2);
    const heard: string[] = [];
    pool.on('server:notification', (e) => heard.push(`${e.serverId}:${e.notification.method}`));

    tools = ['slow', 'fresh'];
    for (const server of sessions) register(server, 'fresh');
    await waitFor(() => pool.catalog.routeTool('fresh', () => true).servers.length === 1, {
      timeoutMs: 2_000,
    });
    // A second change later is a new change: reported again.
    await new Promise((r) => setTimeout(r, 50));
    for (const server of sessions) server.sendToolListChanged();
    await new Promise((r) => setTimeout(r, 50));
    expect(heard).toEqual([
      's:notifications/tools/list_changed',
      's:notifications/tools/list_changed',
    ]);
  });
});

describe('roots changes', () => {
  it('tells every connected server that the roots changed', async () => {
    const { McpServer } = await import('@modelcontextprotocol/sdk/server/mcp.js');
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    const { RootsListChangedNotificationSchema } = await import(
      '@modelcontextprotocol/sdk/types.js'
    );
    const heard: string[] = [];
    const serverFor = (id: string) => ({
      type: 'custom' as const,
      create: async () => {
        const server = new McpServer({ name: id, version: '1.0.0' });
        server.server.setNotificationHandler(RootsListChangedNotificationSchema, async () => {
          heard.push(id);
        });
        const [client, side] = InMemoryTransport.createLinkedPair();
        await server.connect(side);
        return client;
      },
    });
    const pool = new ServerPool({ handlers: { roots: () => ({ roots: [] }) } });
    cleanup(() => pool.close());
    pool.addServer({ id: 'x', transport: serverFor('x') });
    pool.addServer({ id: 'y', transport: serverFor('y') });
    await pool.start({ strict: true });
    await pool.notifyRootsListChanged();
    await waitFor(() => heard.length === 2, { timeoutMs: 2_000 });
    expect(heard.sort()).toEqual(['x', 'y']);
  });
});
