import { useCleanup } from '@mcpool/core/testing';
import { startHttpServer, startInProcessServer, waitFor } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { Gateway } from './gateway.js';
import { type HttpGateway, startHttpGateway } from './http.js';
import {
  cancelSleep,
  connectOver,
  type Downstream,
  initializeRequest,
  rawPost as raw,
  text,
} from './test-helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const cleanup = useCleanup();

const INITIALIZE = JSON.stringify(initializeRequest('raw'));

async function serve(token?: string): Promise<{ http: HttpGateway; gateway: Gateway }> {
  const a = startInProcessServer({ id: 'a' });
  cleanup(a.close);
  const gateway = new Gateway({ servers: [{ id: 'a', transport: a.transport }] });
  cleanup(() => gateway.close());
  const http = await startHttpGateway(gateway, { port: 0, ...(token ? { token } : {}) });
  cleanup(() => http.close());
  return { http, gateway };
}

async function connectHttp(url: string, name: string, token?: string): Promise<Downstream> {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} },
  });
  const host = await connectOver(transport, name);
  cleanup(() => host.close());
  return host;
}

describe('gateway over Streamable HTTP', () => {
  it('serves an SDK client: catalog, calls, progress and sampling on the call’s stream', async () => {
    const { http } = await serve(TOKEN);
    expect(http.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    const host = await connectHttp(http.url, 'web', TOKEN);
    const tools = (await host.client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('add');
    expect(text(await host.client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    const seen: Progress[] = [];
    await host.client.callTool(
      { name: 'progress', arguments: { steps: 2 } },
      CallToolResultSchema,
      { onprogress: (p) => seen.push(p) },
    );
    expect(seen.map((p) => p.progress)).toEqual([1, 2]);
    const sampled = await host.client.callTool({ name: 'sample', arguments: { prompt: 'yo' } });
    expect(text(sampled)).toBe('web sampled: yo');
    expect(http.sessionCount()).toBe(1);
  });

  it('gives two HTTP clients separate upstream sessions and ends them on DELETE', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const gateway = new Gateway({ servers: [{ id: 'up', transport: up.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());
    const one = await connectHttp(http.url, 'one');
    const two = await connectHttp(http.url, 'two');
    expect(text(await one.client.callTool({ name: 'whoami', arguments: {} }))).toBe('up');
    expect(text(await two.client.callTool({ name: 'whoami', arguments: {} }))).toBe('up');
    expect(http.sessionCount()).toBe(2);
    expect(up.sessionCount()).toBe(2);
    await (one.client.transport as StreamableHTTPClientTransport).terminateSession();
    await waitFor(() => http.sessionCount() === 1 && up.sessionCount() === 1, {
      message: 'the DELETEd session and its upstream session closed',
    });
    expect(text(await two.client.callTool({ name: 'whoami', arguments: {} }))).toBe('up');
  });

  it('requires the bearer token when one is set (401)', async () => {
    const { http } = await serve(TOKEN);
    const none = await raw(http.url, { body: INITIALIZE });
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await raw(http.url, {
      body: INITIALIZE,
      headers: { authorization: 'Bearer not-the-token-at-all' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain(TOKEN);
    const right = await raw(http.url, {
      body: INITIALIZE,
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(right.status).toBe(200);
    expect(right.headers['mcp-session-id']).toMatch(/^[\x21-\x7e]+$/);
  });

  it('rejects a foreign Host or Origin against DNS rebinding (403)', async () => {
    const { http } = await serve();
    const port = new URL(http.url).port;
    const badHost = await raw(http.url, {
      body: INITIALIZE,
      headers: { host: `evil.example:${port}` },
    });
    expect(badHost.status).toBe(403);
    const badOrigin = await raw(http.url, {
      body: INITIALIZE,
      headers: { origin: 'https://evil.example' },
    });
    expect(badOrigin.status).toBe(403);
    const nullOrigin = await raw(http.url, { body: INITIALIZE, headers: { origin: 'null' } });
    expect(nullOrigin.status).toBe(403);
    const localPage = await raw(http.url, {
      body: INITIALIZE,
      headers: { origin: `http://localhost:${port}`, host: `localhost:${port}` },
    });
    expect(localPage.status).toBe(200);
  });

  it('accepts configured hosts and origins', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(a.close);
    const gateway = new Gateway({ servers: [{ id: 'a', transport: a.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, {
      port: 0,
      allowedHosts: ['mcp.internal'],
      allowedOrigins: ['https://app.example'],
    });
    cleanup(() => http.close());
    const ok = await raw(http.url, {
      body: INITIALIZE,
      headers: { host: 'mcp.internal:443', origin: 'https://app.example' },
    });
    expect(ok.status).toBe(200);
    const otherOrigin = await raw(http.url, {
      body: INITIALIZE,
      headers: { host: 'mcp.internal', origin: 'https://other.example' },
    });
    expect(otherOrigin.status).toBe(403);
  });

  it('refuses bodies over the limit (413), declared or streamed', async () => {
    const { http } = await serve();
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { padding: 'x'.repeat(4 * 1024 * 1024) },
    });
    const declared = await raw(http.url, { body: big });
    expect(declared.status).toBe(413);
    const streamed = await raw(http.url, { body: big, chunked: true });
    expect(streamed.status).toBe(413);
    expect(http.sessionCount()).toBe(0);
    // The server is still fine.
    expect((await raw(http.url, { body: INITIALIZE })).status).toBe(200);
  });

  it('refuses new sessions beyond the limit (503)', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(a.close);
    const gateway = new Gateway({ servers: [{ id: 'a', transport: a.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0, maxSessions: 1 });
    cleanup(() => http.close());
    expect((await raw(http.url, { body: INITIALIZE })).status).toBe(200);
    const second = await raw(http.url, { body: INITIALIZE });
    expect(second.status).toBe(503);
    expect(second.headers['retry-after']).toBe('5');
  });

  it('answers an unknown session with 404 and a request without one with 400', async () => {
    const { http } = await serve();
    const list = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} });
    const unknown = await raw(http.url, {
      body: list,
      headers: { 'mcp-session-id': 'no-such-session' },
    });
    expect(unknown.status).toBe(404);
    const missing = await raw(http.url, { body: list });
    expect(missing.status).toBe(400);
    const elsewhere = await raw(http.url.replace('/mcp', '/other'), { body: INITIALIZE });
    expect(elsewhere.status).toBe(404);
  });
});

describe('health endpoints', () => {
  it('/healthz is 200 while serving; /readyz follows the readiness gates and the drain', async () => {
    const { http, gateway } = await serve(TOKEN);
    const base = new URL(http.url).origin;
    // Probes carry the pod's address as Host and no token: no guard applies.
    const live = await raw(`${base}/healthz`, {
      method: 'GET',
      headers: { host: '10.1.2.3:3333' },
    });
    expect(live.status).toBe(200);
    expect(JSON.parse(live.body)).toEqual({ status: 'ok' });
    expect((await raw(`${base}/readyz`, { method: 'GET' })).status).toBe(200);
    let listed = false;
    const remove = gateway.addReadinessGate(() => listed, 'discovery');
    const blocked = await raw(`${base}/readyz`, { method: 'GET' });
    expect(blocked.status).toBe(503);
    expect(JSON.parse(blocked.body).reason).toContain('discovery');
    listed = true;
    expect((await raw(`${base}/readyz`, { method: 'GET' })).status).toBe(200);
    remove();
    gateway.drain();
    const draining = await raw(`${base}/readyz`, { method: 'GET' });
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body).reason).toBe('draining');
    expect((await raw(`${base}/healthz`, { method: 'GET' })).status).toBe(200);
    const refused = await raw(http.url, {
      headers: { authorization: `Bearer ${TOKEN}` },
      body: INITIALIZE,
    });
    expect(refused.status).toBe(503);
  });
});

describe('plain tools/call over HTTP', () => {
  it('carries a downstream cancellation to the upstream request, and the session goes on', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(a.close);
    const gateway = new Gateway({ servers: [{ id: 'a', transport: a.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());
    const host = await connectHttp(http.url, 'stopper');
    expect(await cancelSleep(host, a)).toBeInstanceOf(Error);
    expect(text(await host.client.callTool({ name: 'add', arguments: { a: 2, b: 2 } }))).toBe('4');
  });
});

describe('closing with calls in flight', () => {
  it('answers each unanswered call with an error instead of leaving it to time out', async () => {
    const a = startInProcessServer({ id: 'a', latencyMs: 5_000 });
    cleanup(a.close);
    const gateway = new Gateway({ servers: [{ id: 'a', transport: a.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    const host = await connectHttp(http.url, 'slow');
    const started = Date.now();
    const call = host.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await waitFor(() => a.state.callCount === 1, { message: 'the call upstream' });
    await http.close();
    // The session's upstream call is cancelled first (a tool error the model can read), or the
    // transport answers it when it closes; either way the client hears at once.
    const outcome = await call.then(
      (result) => ({ isError: result.isError === true, text: JSON.stringify(result.content) }),
      (error: Error) => ({ isError: true, text: error.message }),
    );
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/closed|cancel|abort/i);
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});
