import { getEventListeners } from 'node:events';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  CreateMessageResultSchema,
  ErrorCode,
  type JSONRPCMessage,
  McpError,
  type Notification,
} from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ConnectOptions, RequestOptions } from '../spec/connector.js';
import { markShared } from './cancellable-requests.js';
import type { DirectRequests } from './direct-requests.js';
import { McpConnection } from './mcp-connection.js';

/** What the server side saw: every message the client sent it. */
interface Seen {
  messages: JSONRPCMessage[];
  cancelled: unknown[];
}

/** Results a faulty server sends on the wire, by tool name (or method, for the others). */
const CORRUPTIONS: Record<string, unknown> = {
  corrupt: { content: 'not a list' },
  typed: { content: [], structuredContent: { n: 'not a number' } },
};

/**
 * A real SDK server on an in-memory pair, with tools for each path. The tools
 * named in `corruptions` are answered by the SDK server, and then their
 * result is replaced on the wire, as a faulty server would send it.
 */
function startServer(corruptions: Record<string, unknown> = CORRUPTIONS) {
  const seen: Seen = { messages: [], cancelled: [] };
  const servers: McpServer[] = [];
  const create = async (): Promise<Transport> => {
    const server = new McpServer({ name: 'direct', version: '1.0.0' });
    const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] });
    server.registerTool('add', { inputSchema: { a: z.number(), b: z.number() } }, ({ a, b }) =>
      text(String(a + b)),
    );
    server.registerTool('wait', { inputSchema: { ms: z.number() } }, ({ ms }, extra) => {
      return new Promise<CallToolResult>((resolve) => {
        const timer = setTimeout(() => resolve(text('waited')), ms);
        extra.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(text('aborted'));
        });
      });
    });
    server.registerTool('rich', {}, () => ({
      content: [{ type: 'text', text: 'marked', annotations: { priority: 1 } }],
      _meta: { note: 'kept' },
    }));
    server.registerTool('bare', {}, () => ({ content: [] }) as unknown as CallToolResult);
    server.registerTool('typed', { outputSchema: { n: z.number() } }, () => ({
      content: [],
      structuredContent: { n: 1 },
    }));
    server.registerTool('corrupt', {}, () => text('fine'));
    server.registerTool('sample', {}, async (extra) => {
      const answer = await server.server.request(
        {
          method: 'sampling/createMessage',
          params: {
            messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
            maxTokens: 5,
          },
        },
        CreateMessageResultSchema,
        { relatedRequestId: extra.requestId },
      );
      return text(answer.content.type === 'text' ? answer.content.text : '?');
    });
    server.registerResource('note', 'note://1', {}, (uri) => ({
      contents: [{ uri: uri.href, text: 'a note' }],
    }));
    server.registerPrompt('greet', {}, () => ({
      messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }],
    }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    servers.push(server);
    const corruptIds = new Map<unknown, unknown>();
    const onmessage = serverSide.onmessage;
    serverSide.onmessage = (message, extra) => {
      seen.messages.push(message);
      const m = message as { method?: string; id?: unknown; params?: Record<string, unknown> };
      if (m.method === 'notifications/cancelled') seen.cancelled.push(m.params?.requestId);
      const key = m.method === 'tools/call' ? m.params?.name : m.method;
      if (typeof key === 'string' && key in corruptions) corruptIds.set(m.id, corruptions[key]);
      onmessage?.(message, extra);
    };
    const send = serverSide.send.bind(serverSide);
    serverSide.send = (message, options) => {
      const id = (message as { id?: unknown }).id;
      if (corruptIds.has(id) && 'result' in message) {
        const result = corruptIds.get(id);
        return send({ jsonrpc: '2.0', id, result } as JSONRPCMessage, options);
      }
      return send(message, options);
    };
    return clientSide;
  };
  return { seen, create, close: () => Promise.all(servers.map((s) => s.close())) };
}

const opened: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function open(corruptions?: Record<string, unknown>, wrap?: (t: Transport) => Transport) {
  const server = startServer(corruptions);
  const create = wrap ? async () => wrap(await server.create()) : server.create;
  opened.push(server);
  const notifications: Notification[] = [];
  const options: ConnectOptions = {
    serverId: 's',
    transport: { type: 'custom', create },
    protocol: 'legacy',
    clientInfo: { name: 'test', version: '1.0.0' },
    handlers: {
      sampling: async () => ({
        role: 'assistant',
        model: 'm',
        content: { type: 'text', text: 'sampled' },
      }),
    },
    listener: {
      onClose: () => {},
      onNotification: (_c, n) => notifications.push(n),
    },
    connectTimeout: 5_000,
  };
  const connection = await McpConnection.open(options);
  opened.push(connection);
  const direct = () => (connection as unknown as { direct: DirectRequests }).direct;
  return { connection, seen: server.seen, direct };
}

function sharedSignal(): AbortController {
  const controller = new AbortController();
  markShared(controller.signal);
  return controller;
}

const call = (name: string, args: Record<string, unknown> = {}) => ({ name, arguments: args });

describe('tools/call on the direct path', () => {
  it('uses string ids that never meet the SDK client’s numeric ones, mid-call server requests included', async () => {
    const { connection, seen } = await open();
    const signal = sharedSignal().signal;
    const sampled: RequestOptions = { signal, timeout: 5_000 };
    const added: RequestOptions = { signal, timeout: 5_000 };
    const listed: RequestOptions = { signal, timeout: 5_000 };
    const [a, b, tools] = await Promise.all([
      connection.request('tools/call', call('sample'), sampled),
      connection.request('tools/call', call('add', { a: 2, b: 3 }), added),
      connection.request('tools/list', {}, listed),
    ]);
    expect((a as CallToolResult).content).toEqual([{ type: 'text', text: 'sampled' }]);
    expect((b as CallToolResult).content).toEqual([{ type: 'text', text: '5' }]);
    expect((tools as { tools: unknown[] }).tools.length).toBeGreaterThan(3);
    expect(sampled.requestId).toMatch(/^mcpool-\d+$/);
    expect(added.requestId).toMatch(/^mcpool-\d+$/);
    expect(added.requestId).not.toBe(sampled.requestId);
    expect(typeof listed.requestId).toBe('number');
    // The server's own sampling request was answered through the SDK client.
    const answers = seen.messages.filter((m) => 'result' in m);
    expect(answers).toHaveLength(1);
  });

  it('leaves calls with onprogress to the SDK client', async () => {
    const { connection } = await open();
    const progressed: RequestOptions = { timeout: 5_000, onprogress: () => {} };
    await connection.request('tools/call', call('add', { a: 1, b: 1 }), progressed);
    expect(typeof progressed.requestId).toBe('number');
  });

  it('takes a signal of the caller’s own: its abort cancels the call, and no listener stays on it', async () => {
    const { connection, seen, direct } = await open();
    const answered = new AbortController();
    const own: RequestOptions = { signal: answered.signal, timeout: 5_000 };
    await connection.request('tools/call', call('add', { a: 1, b: 1 }), own);
    expect(own.requestId).toMatch(/^mcpool-\d+$/);
    expect(getEventListeners(answered.signal, 'abort')).toHaveLength(0);

    const caller = new AbortController();
    const options: RequestOptions = { signal: caller.signal, timeout: 5_000 };
    const pending = connection.request('tools/call', call('wait', { ms: 5_000 }), options);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('downstream client cancelled');
    setTimeout(() => caller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => seen.cancelled).toEqual([options.requestId]);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    expect(direct().size).toBe(0);
  });

  it('leaves a transport whose onmessage is an accessor to the SDK client', async () => {
    // A transport that wraps whatever handler it is given (as a test double of a proxy might).
    const accessor = (transport: Transport): Transport => {
      let handler: Transport['onmessage'];
      Object.defineProperty(transport, 'onmessage', {
        configurable: true,
        get: () => handler && ((message: JSONRPCMessage) => handler?.(message)),
        set: (next: Transport['onmessage']) => {
          handler = next;
        },
      });
      return transport;
    };
    const { connection } = await open(undefined, accessor);
    const options: RequestOptions = { timeout: 5_000 };
    const result = await connection.request('tools/call', call('add', { a: 1, b: 2 }), options);
    expect((result as CallToolResult).content).toEqual([{ type: 'text', text: '3' }]);
    expect(typeof options.requestId).toBe('number');
  });

  it('returns what the SDK schema returns for results of another shape', async () => {
    const { connection } = await open();
    const rich = await connection.request('tools/call', call('rich'), { timeout: 5_000 });
    expect(rich).toEqual({
      content: [{ type: 'text', text: 'marked', annotations: { priority: 1 } }],
      _meta: { note: 'kept' },
    });
    const bare = await connection.request('tools/call', call('bare'), { timeout: 5_000 });
    expect(bare).toEqual({ content: [] });
  });

  it('refuses a malformed result with the SDK schema’s error', async () => {
    const { connection } = await open();
    const error = await connection
      .request('tools/call', call('corrupt'), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/content/);
    expect((error as Error).message).toMatch(/array/i);
  });

  it('reads resources and gets prompts on it too, refusing a malformed result', async () => {
    const { connection } = await open();
    const read: RequestOptions = { timeout: 5_000 };
    const got: RequestOptions = { timeout: 5_000 };
    await expect(connection.request('resources/read', { uri: 'note://1' }, read)).resolves.toEqual({
      contents: [{ uri: 'note://1', text: 'a note' }],
    });
    await expect(connection.request('prompts/get', { name: 'greet' }, got)).resolves.toEqual({
      messages: [{ role: 'user', content: { type: 'text', text: 'hello' } }],
    });
    expect(read.requestId).toMatch(/^mcpool-\d+$/);
    expect(got.requestId).toMatch(/^mcpool-\d+$/);
    const faulty = await open({ 'resources/read': { contents: 'none' } });
    const refused = faulty.connection.request('resources/read', { uri: 'note://1' }, {});
    await expect(refused).rejects.toThrow(/contents/);
  });

  it('refuses a result that is not an object at once, not after its timeout', async () => {
    const { connection } = await open({ corrupt: 42 });
    const started = performance.now();
    const error = await connection
      .request('tools/call', call('corrupt'), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('checks structured content against the tool’s output schema once tools were listed', async () => {
    const { connection } = await open();
    await connection.request('tools/list', {}, { timeout: 5_000 });
    const error = await connection
      .request('tools/call', call('typed'), { timeout: 5_000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).message).toMatch(/does not match the tool's output schema/);
  });

  it('cancels on abort: rejects with the reason and the server hears notifications/cancelled', async () => {
    const { connection, seen, direct } = await open();
    const controller = sharedSignal();
    const options: RequestOptions = { signal: controller.signal, timeout: 5_000 };
    const pending = connection.request('tools/call', call('wait', { ms: 5_000 }), options);
    const reason = new Error('caller gave up');
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    await expect.poll(() => seen.cancelled).toEqual([options.requestId]);
    expect(direct().size).toBe(0);
  });

  it('times out with the SDK’s error from one shared timer, and tells the server', async () => {
    const { connection, seen, direct } = await open();
    const options: RequestOptions = { timeout: 60 };
    const slow = connection.request('tools/call', call('wait', { ms: 5_000 }), options);
    const quick = connection.request('tools/call', call('add', { a: 1, b: 2 }), {
      timeout: 30_000,
    });
    await expect(quick).resolves.toMatchObject({ content: [{ type: 'text', text: '3' }] });
    const error = await slow.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.RequestTimeout);
    await expect.poll(() => seen.cancelled).toEqual([options.requestId]);
    // The 30 s deadline of the call that answered arms nothing after the sweep.
    expect(direct().size).toBe(0);
    expect(direct().armed).toBe(false);
  });

  it('close() rejects what is pending and leaves no timer', async () => {
    const { connection, direct } = await open();
    const pending = connection
      .request('tools/call', call('wait', { ms: 5_000 }), { timeout: 30_000 })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(direct().size).toBe(1);
    expect(direct().armed).toBe(true);
    await connection.close();
    const error = await pending;
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect(direct().size).toBe(0);
    expect(direct().armed).toBe(false);
  });
});
