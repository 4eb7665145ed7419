import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { type HttpTestServer, type HttpTestServerOptions, startHttpServer } from './http-server.js';
import { connectClient, firstText, type TestClient } from './sdk-client.js';
import { initializeBody, MCP_HEADERS, useCleanups } from './test-rig.js';
import { STANDARD_TOOL_NAMES } from './test-server.js';
import { waitFor } from './wait.js';

const INIT_BODY = initializeBody('2025-06-18');

describe('startHttpServer', () => {
  const cleanups = useCleanups();

  async function start(options: HttpTestServerOptions): Promise<HttpTestServer> {
    const server = await startHttpServer(options);
    cleanups.push(() => server.close());
    return server;
  }

  async function connect(server: HttpTestServer, legacySse = false): Promise<TestClient> {
    const config = legacySse ? server.sseTransport : server.transport;
    if (!config) throw new Error('no such transport');
    const client = await connectClient(config);
    cleanups.push(() => client.close().catch(() => {}));
    return client;
  }

  it('listens on 127.0.0.1 only and serves tools over Streamable HTTP', async () => {
    const server = await start({ id: 'web' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(server.transport).toEqual({ type: 'streamable-http', url: server.url });
    expect(server.sseTransport).toBeUndefined();
    const { client } = await connect(server);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...STANDARD_TOOL_NAMES].sort());
    const sum = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    expect(firstText(sum)).toBe('42');
    expect(sum.structuredContent).toEqual({ sum: 42 });
    expect(server.sessionCount()).toBe(1);
  });

  it('gives each client its own session and shares state between them', async () => {
    const server = await start({ id: 'web', answerOffset: 1 });
    const first = await connect(server);
    const second = await connect(server);
    expect(server.sessionCount()).toBe(2);
    expect(firstText(await first.client.callTool({ name: 'counter' }))).toBe('1');
    expect(firstText(await second.client.callTool({ name: 'counter' }))).toBe('2');
    server.state.answerOffset = -2;
    expect(
      firstText(await second.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })),
    ).toBe('0');
    expect(server.state.calls).toEqual({ counter: 2, add: 1 });
  });

  it('error mode answers with a JSON-RPC InternalError', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    server.state.mode = 'error';
    const error = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
    server.state.mode = 'ok';
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('hang mode makes a call with a short timeout reject', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    server.state.mode = 'hang';
    const error = await client
      .callTool({ name: 'whoami' }, undefined, { timeout: 150 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.RequestTimeout);
    server.state.mode = 'ok';
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('garbage mode answers 200 with invalid JSON, so the call rejects at once', async () => {
    const server = await start({ id: 'web' });
    const observed = await connect(server);
    server.state.mode = 'garbage';
    const error = await observed.client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(server.state.callCount).toBe(1);
    // The session survives: only that one answer was spoiled.
    server.state.mode = 'ok';
    expect(firstText(await observed.client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('crash mode destroys the sockets and stops listening until restart()', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    server.state.mode = 'crash';
    await expect(client.callTool({ name: 'whoami' })).rejects.toThrow();
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow(/fetch failed/);
    expect(server.sessionCount()).toBe(0);
    server.state.mode = 'ok';
    await server.restart();
    const fresh = await connect(server);
    expect(firstText(await fresh.client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('adds latencyMs before answering', async () => {
    const server = await start({ id: 'web', latencyMs: 120 });
    const { client } = await connect(server);
    const started = performance.now();
    await client.callTool({ name: 'whoami' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('addTool reaches the client as tools/list_changed on the GET stream', async () => {
    const server = await start({ id: 'web' });
    const observed = await connect(server);
    await waitFor(() => server.notificationStreamCount() === 1, {
      message: 'the client to open its GET stream',
    });
    server.state.addTool('late');
    await waitFor(() => observed.toolListChanges === 1);
    expect(firstText(await observed.client.callTool({ name: 'late' }))).toBe('late');
    server.state.removeTool('late');
    await waitFor(() => observed.toolListChanges === 2);
    // Logging is not tied to the request either, so it also needs the GET stream.
    await observed.client.callTool({ name: 'log', arguments: { message: 'over http' } });
    await waitFor(() => observed.logs.length === 1);
    expect(observed.logs[0]).toMatchObject({ logger: 'web', data: 'over http' });
  });

  it('delivers progress notifications and request-related server requests', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    const seen: number[] = [];
    await client.callTool({ name: 'progress', arguments: { steps: 4 } }, undefined, {
      onprogress: (progress) => seen.push(progress.progress),
    });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(firstText(await client.callTool({ name: 'sample', arguments: { prompt: 'q' } }))).toBe(
      'sampled: q',
    );
  });

  it('dropSessions() makes the next request fail with 404', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    await server.dropSessions();
    expect(server.sessionCount()).toBe(0);
    const error = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(404);
  });

  it('answers unknown session ids with a 404 JSON-RPC error and ends sessions on DELETE', async () => {
    const server = await start({ id: 'web' });
    const unknown = await fetch(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, 'mcp-session-id': 'no-such-session' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001 } });

    const init = await fetch(server.url, { method: 'POST', headers: MCP_HEADERS, body: INIT_BODY });
    const sessionId = init.headers.get('mcp-session-id');
    await init.body?.cancel();
    expect(sessionId).toMatch(/^[\x21-\x7e]+$/);
    expect(server.sessionCount()).toBe(1);
    const deleted = await fetch(server.url, {
      method: 'DELETE',
      headers: { 'mcp-session-id': String(sessionId) },
    });
    expect(deleted.status).toBe(200);
    expect(server.sessionCount()).toBe(0);
  });

  it('kill() drops every connection; restart() listens again on the same port', async () => {
    const server = await start({ id: 'web' });
    const port = server.port;
    const before = await connect(server);
    await server.kill();
    await expect(before.client.callTool({ name: 'whoami' })).rejects.toThrow();
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow(/fetch failed/);
    await server.restart();
    expect(server.port).toBe(port);
    // A crash loses the sessions: the old client now gets 404 and must re-initialise.
    const stale = await before.client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect((stale as StreamableHTTPError).code).toBe(404);
    const after = await connect(server);
    expect(firstText(await after.client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('kill({ keepSessions: true }) lets old sessions continue after restart()', async () => {
    const server = await start({ id: 'web' });
    const { client } = await connect(server);
    await server.kill({ keepSessions: true });
    await expect(client.callTool({ name: 'whoami' })).rejects.toThrow();
    await server.restart();
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('web');
  });

  it('serves the legacy HTTP+SSE transport when asked', async () => {
    const server = await start({ id: 'legacy', sse: true });
    expect(server.sseTransport).toEqual({ type: 'sse', url: server.url.replace(/mcp$/, 'sse') });
    const observed = await connect(server, true);
    const { client } = observed;
    expect((await client.listTools()).tools.length).toBe(STANDARD_TOOL_NAMES.length);
    expect(firstText(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }))).toBe('3');
    expect(server.sessionCount()).toBe(1);
    server.state.addTool('sse-extra');
    await waitFor(() => observed.toolListChanges === 1);

    server.state.mode = 'garbage';
    await expect(client.callTool({ name: 'whoami' }, undefined, { timeout: 200 })).rejects.toThrow(
      /timed out/i,
    );
    expect(observed.errors.length).toBeGreaterThan(0);
    server.state.mode = 'error';
    const error = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
  });

  it('close() leaves no session, listener or socket behind', async () => {
    const tcpHandles = () =>
      process.getActiveResourcesInfo().filter((name) => name.startsWith('TCP')).length;
    const baseline = tcpHandles();
    const server = await startHttpServer({ id: 'web', sse: true });
    const streamable = await connectClient(server.transport);
    const sse = await connectClient(server.sseTransport!);
    await waitFor(() => server.notificationStreamCount() === 1);
    server.state.mode = 'hang';
    const pending = streamable.client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    await waitFor(() => server.state.callCount === 1);
    await server.close();
    expect(server.sessionCount()).toBe(0);
    expect(server.state.liveServers).toBe(0);
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow(/fetch failed/);
    // The SDK client does not fail a request whose SSE stream ended unanswered; closing it does.
    await streamable.close();
    expect(await pending).toMatchObject({ code: ErrorCode.ConnectionClosed });
    await sse.close();
    await waitFor(() => tcpHandles() <= baseline, { message: 'every TCP handle to close' });
  });
});
