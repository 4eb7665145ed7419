import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpTestServer, resultText, startHttpServer, waitFor } from '@mcpool/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ErrorCode,
  LoggingMessageNotificationSchema,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { isUnreachableError } from '../spec/failure.js';
import { useCleanup } from '../testing/index.js';
import { NodeHttpClientTransport } from './node-http-transport.js';

const cleanup = useCleanup();

async function server(id: string): Promise<HttpTestServer> {
  const s = await startHttpServer({ id });
  cleanup(() => s.close());
  return s;
}

interface Connected {
  client: Client;
  transport: NodeHttpClientTransport;
  errors: Error[];
}

async function connect(
  url: string,
  options: { headers?: Record<string, string>; sampling?: boolean } = {},
): Promise<Connected> {
  const transport = new NodeHttpClientTransport(new URL(url), { headers: options.headers });
  const client = new Client(
    { name: 'node-http-test', version: '0.0.0' },
    { capabilities: options.sampling ? { sampling: {} } : {} },
  );
  const errors: Error[] = [];
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  cleanup(() => client.close());
  return { client, transport, errors };
}

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('NodeHttpClientTransport against an SDK server', () => {
  it('calls tools, hears the server on its GET stream and ends the session with DELETE on close', async () => {
    const a = await server('a');
    const sockets = tcpSockets();
    const { client, transport } = await connect(a.url);
    expect(transport.sessionId).toEqual(expect.any(String));
    expect(a.sessionCount()).toBe(1);
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(resultText(sum)).toBe('5');
    expect(sum.structuredContent).toEqual({ sum: 5 });

    await waitFor(() => a.notificationStreamCount() === 1, { timeoutMs: 5_000 });
    const changed: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, (n) => {
      changed.push(n.method);
    });
    const logs: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      logs.push(n.params.data);
    });
    a.state.addTool('extra');
    await client.callTool({ name: 'log', arguments: { message: 'hello' } });
    await waitFor(() => changed.length === 1 && logs.length === 1, { timeoutMs: 5_000 });
    expect(logs).toEqual(['hello']);

    await client.close();
    expect(transport.sessionId).toBeUndefined();
    expect(a.sessionCount()).toBe(0);
    await waitFor(() => a.notificationStreamCount() === 0 && tcpSockets() <= sockets, {
      timeoutMs: 5_000,
      message: 'every socket closed',
    });
  });

  it('carries progress and a server request on the answer to a call, and many calls at once', async () => {
    const a = await server('a');
    const { client } = await connect(a.url, { sampling: true });
    client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
      return {
        role: 'assistant',
        model: 'test',
        content: { type: 'text', text: `re: ${JSON.stringify(request.params.messages)}` },
      };
    });
    const steps: number[] = [];
    await client.callTool({ name: 'progress', arguments: { steps: 3, intervalMs: 1 } }, undefined, {
      onprogress: (p) => steps.push(p.progress),
    });
    expect(steps).toEqual([1, 2, 3]);
    const sampled = await client.callTool({ name: 'sample', arguments: { prompt: 'é ✓' } });
    expect(resultText(sampled)).toContain('é ✓');
    const sums = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        client.callTool({ name: 'add', arguments: { a: i, b: 1 } }).then(resultText),
      ),
    );
    expect(sums).toEqual(Array.from({ length: 64 }, (_, i) => String(i + 1)));
  });

  it('cancels a call the caller gave up, telling the server', async () => {
    const a = await server('a');
    const { client } = await connect(a.url);
    const controller = new AbortController();
    const call = client.callTool({ name: 'sleep', arguments: { ms: 10_000 } }, undefined, {
      signal: controller.signal,
    });
    await waitFor(() => a.state.callCount === 1, { timeoutMs: 5_000 });
    controller.abort(new Error('no longer needed'));
    await expect(call).rejects.toThrow('no longer needed');
    await waitFor(() => a.state.cancelled === 1, { timeoutMs: 5_000 });
  });

  it('fails with a 404 StreamableHTTPError when the server forgot the session', async () => {
    const a = await server('a');
    const { client, errors } = await connect(a.url);
    await a.dropSessions();
    const error = await client.callTool({ name: 'whoami', arguments: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(404);
    expect(errors).toContain(error);
  });

  it('fails like fetch, with the refused connection as cause, when the server is down', async () => {
    const a = await server('a');
    const { client } = await connect(a.url);
    await a.kill();
    // A call racing the kill may still go out on a kept-alive socket the
    // server has just cut (ECONNRESET: it may have run); later ones are refused.
    let error: unknown;
    await waitFor(
      async () => {
        error = await client.callTool({ name: 'whoami', arguments: {} }).catch((e) => e);
        return isUnreachableError(error);
      },
      { timeoutMs: 5_000, intervalMs: 10, message: 'a refused connection' },
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
    expect(((error as TypeError).cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('fails a call at once, as one that may have run, when its answer stream drops', async () => {
    const a = await server('a');
    const { client, errors } = await connect(a.url);
    const started = performance.now();
    const error = await client
      .callTool({ name: 'progress', arguments: { steps: 50, intervalMs: 20 } }, undefined, {
        timeout: 15_000,
        onprogress: () => {
          a.kill().catch(() => {});
        },
      })
      .catch((e) => e);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect((error as McpError).message).toMatch(/may have run/);
    expect(isUnreachableError(error)).toBe(false);
    expect(errors.some((e) => /SSE stream disconnected/.test(e.message))).toBe(true);
  });

  it('fails a call whose server crashes before answering, as one that may have run', async () => {
    const a = await server('a');
    const { client } = await connect(a.url);
    a.state.mode = 'crash';
    const error = await client.callTool({ name: 'whoami', arguments: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(isUnreachableError(error)).toBe(false);
  });

  it('rejects an answer that is not JSON', async () => {
    const a = await server('a');
    const { client } = await connect(a.url);
    a.state.mode = 'garbage';
    await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow(SyntaxError);
  });

  it('reopens a dropped notification stream, and gives up when the server stays away', async () => {
    const a = await server('a');
    const { errors } = await connect(a.url);
    await waitFor(() => a.notificationStreamCount() === 1, { timeoutMs: 5_000 });
    await a.kill({ keepSessions: true });
    await a.restart();
    await waitFor(() => a.notificationStreamCount() === 1, {
      timeoutMs: 5_000,
      message: 'the GET stream is open again',
    });
    await a.kill();
    await waitFor(() => errors.some((e) => /Maximum reconnection attempts/.test(e.message)), {
      timeoutMs: 8_000,
      message: 'the transport gives up',
    });
    expect(errors.some((e) => isUnreachableError(e))).toBe(true);
  });

  it('rejects a url that is not http or https', () => {
    expect(() => new NodeHttpClientTransport(new URL('ftp://127.0.0.1/mcp'))).toThrow(
      /must start with http: or https:, not "ftp:"/,
    );
  });
});

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A minimal Streamable HTTP server on 127.0.0.1 that answers initialize with
 * JSON and `tools/call` with `answer` (a JSON or an SSE answer written in
 * pieces), and records every request.
 */
async function startPlainServer(
  answer: (res: ServerResponse, id: number) => Promise<void>,
): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    seen.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.url === '/old') {
      res.writeHead(308, { location: '/mcp' }).end();
      return;
    }
    if (req.url === '/away') {
      res.writeHead(307, { location: 'http://localhost:1/mcp' }).end();
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (req.method === 'DELETE') {
      res.writeHead(200).end();
      return;
    }
    const message = JSON.parse(body);
    if (message.id === undefined) {
      res.writeHead(202).end();
      return;
    }
    if (message.method === 'initialize') {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'plain-1' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: message.id,
          result: {
            protocolVersion: message.params.protocolVersion,
            capabilities: { tools: {} },
            serverInfo: { name: 'plain', version: '0.0.0' },
          },
        }),
      );
      return;
    }
    await answer(res, message.id);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/mcp`, seen };
}

function toolResult(id: number, text: string): string {
  return JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text }] } });
}

describe('NodeHttpClientTransport against a plain HTTP server', () => {
  it('reads JSON answers and sends the session, protocol version and configured headers', async () => {
    const plain = await startPlainServer(async (res, id) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(toolResult(id, 'json answer'));
    });
    const { client } = await connect(plain.url, { headers: { Authorization: 'Bearer t0k' } });
    const result = await client.callTool({ name: 'any', arguments: {} });
    expect(resultText(result)).toBe('json answer');
    const call = plain.seen.find((s) => s.body.includes('tools/call'));
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer t0k',
      'mcp-session-id': 'plain-1',
      'mcp-protocol-version': expect.any(String),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    });
    await client.close();
    expect(plain.seen.at(-1)).toMatchObject({
      method: 'DELETE',
      headers: { 'mcp-session-id': 'plain-1' },
    });
  });

  it('decodes an SSE answer whose characters and lines are cut across writes', async () => {
    const plain = await startPlainServer(async (res, id) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(`: hello\r\nid: 1\r\ndata: ${toolResult(id, 'héllo ✓')}\r\n\r\n`);
      const cut = bytes.indexOf(Buffer.from('✓')) + 1;
      res.write(bytes.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 20));
      res.end(bytes.subarray(cut));
    });
    const { client } = await connect(plain.url);
    expect(resultText(await client.callTool({ name: 'any', arguments: {} }))).toBe('héllo ✓');
  });

  it('follows a redirect within the origin and refuses one that leaves it', async () => {
    const plain = await startPlainServer(async (res, id) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(toolResult(id, 'moved'));
    });
    const { client } = await connect(plain.url.replace(/\/mcp$/, '/old'));
    expect(resultText(await client.callTool({ name: 'any', arguments: {} }))).toBe('moved');
    const posts = plain.seen.filter((s) => s.body.includes('tools/call')).map((s) => s.url);
    expect(posts).toEqual(['/old', '/mcp']);

    const away = new NodeHttpClientTransport(new URL(plain.url.replace(/\/mcp$/, '/away')));
    const refused = await new Client({ name: 't', version: '0' }).connect(away).catch((e) => e);
    expect(refused).toBeInstanceOf(StreamableHTTPError);
    expect(refused.code).toBe(307);
    expect(refused.message).toMatch(/Redirect to http:\/\/localhost:1\/mcp not followed/);
  });

  it('names the status of an error answer', async () => {
    const plain = await startPlainServer(async (res) => {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('overloaded');
    });
    const { client } = await connect(plain.url);
    const error = await client.callTool({ name: 'any', arguments: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect(error.code).toBe(503);
    expect(error.message).toContain('overloaded');
  });
});
