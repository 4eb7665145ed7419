import { useCleanup } from '@mcpool/core/testing';
import { type StandardToolName, startInProcessServer } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { Gateway } from './gateway.js';
import { type HttpGatewayOptions, startHttpGateway } from './http.js';
import { createSessionSealer, principalOf } from './session-token.js';
import { connectOver, initializeRequest, type RawAnswer, rawPost, text } from './test-helpers.js';

const SECRET = 'sealed-secret-0123456789abcdefghijkl';
const NEXT = 'next-secret-0123456789abcdefghijklmno';
const cleanup = useCleanup();

/** One gateway replica in this process, over its own in-process upstream server. */
async function replica(
  options: HttpGatewayOptions,
  servers: {
    id: string;
    sessionState?: boolean;
    tools?: StandardToolName[];
    extra?: string[];
  }[] = [{ id: 'a' }],
) {
  const upstream = servers.map((s) => ({
    id: s.id,
    sessionState: s.sessionState === true,
    server: startInProcessServer({
      id: s.id,
      ...(s.tools ? { toolNames: s.tools } : {}),
      ...(s.extra ? { extraTools: s.extra } : {}),
    }),
  }));
  for (const u of upstream) cleanup(u.server.close);
  const gateway = new Gateway({
    servers: upstream.map((u) => ({
      id: u.id,
      sessionState: u.sessionState,
      transport: u.server.transport,
    })),
  });
  cleanup(() => gateway.close());
  const http = await startHttpGateway(gateway, { port: 0, ...options });
  cleanup(() => http.close());
  return http;
}

/** Initializes over HTTP and returns the session id the gateway handed out. */
async function initialize(url: string, authorization?: string): Promise<string> {
  const res = await post(
    url,
    undefined,
    initializeRequest('raw', { roots: {} }, '1'),
    authorization,
  );
  expect(res.status).toBe(200);
  const id = res.headers['mcp-session-id'];
  expect(typeof id).toBe('string');
  return id as string;
}

function post(
  url: string,
  session: string | undefined,
  body: unknown,
  authorization?: string,
): Promise<RawAnswer> {
  return rawPost(url, {
    body: JSON.stringify(body),
    headers: {
      ...(session ? { 'mcp-session-id': session } : {}),
      ...(authorization ? { authorization } : {}),
    },
  });
}

const LIST = { jsonrpc: '2.0', id: 2, method: 'tools/list' };

describe('sealed session ids over HTTP', () => {
  it('a replica that never saw the session serves it from its id', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET });
    const id = await initialize(a.url);
    const listed = await post(b.url, id, LIST);
    expect(listed.status).toBe(200);
    expect(listed.headers['content-type']).toBe('application/json');
    expect(JSON.parse(listed.body).result.tools.map((t: { name: string }) => t.name)).toContain(
      'add',
    );
    expect(b.sessionCount()).toBe(1);
    const called = await post(b.url, id, {
      jsonrpc: '2.0',
      id: 3,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 2, b: 2 } },
    });
    expect(JSON.parse(called.body).result.content[0].text).toBe('4');
  });

  it('a tampered id gets 404', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET });
    const id = await initialize(a.url);
    const raw = Buffer.from(id, 'base64url');
    raw[raw.length - 30] = (raw[raw.length - 30] as number) ^ 0x40;
    const tampered = raw.toString('base64url');
    expect((await post(b.url, tampered, LIST)).status).toBe(404);
    expect((await post(a.url, tampered, LIST)).status).toBe(404);
    expect(b.sessionCount()).toBe(0);
  });

  it('a truncated id gets 404', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET });
    const id = await initialize(a.url);
    expect((await post(b.url, id.slice(0, -1), LIST)).status).toBe(404);
    expect((await post(b.url, id.slice(0, 20), LIST)).status).toBe(404);
    expect(b.sessionCount()).toBe(0);
  });

  it('an expired id gets 404', async () => {
    const b = await replica({ sessionSecret: SECRET });
    const sealer = createSessionSealer({ secrets: [SECRET], maxAgeMs: 60_000 });
    const claims = {
      sid: 'expired-one',
      protocolVersion: LATEST_PROTOCOL_VERSION,
      clientInfo: { name: 'raw', version: '1' },
      capabilities: {},
      principal: '',
    };
    expect((await post(b.url, sealer.seal(claims, Date.now() - 61_000), LIST)).status).toBe(404);
    expect((await post(b.url, sealer.seal(claims, Date.now() - 1_000), LIST)).status).toBe(200);
  });

  it('an id presented with another user’s token gets 404, on the replica that holds it too', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET });
    const alice = 'Bearer alice-0123456789abcdef';
    const bob = 'Bearer bob-0123456789abcdefgh';
    const id = await initialize(a.url, alice);
    expect((await post(b.url, id, LIST, bob)).status).toBe(404);
    expect((await post(a.url, id, LIST, bob)).status).toBe(404);
    expect((await post(b.url, id, LIST)).status).toBe(404);
    expect((await post(b.url, id, LIST, alice)).status).toBe(200);
    expect(principalOf(alice)).not.toBe(principalOf(bob));
  });

  it('a rotated secret keeps the ids sealed with the old one valid', async () => {
    const before = await replica({ sessionSecret: SECRET });
    const during = await replica({ sessionSecret: [NEXT, SECRET] });
    const after = await replica({ sessionSecret: NEXT });
    const old = await initialize(before.url);
    expect((await post(during.url, old, LIST)).status).toBe(200);
    const fresh = await initialize(during.url);
    expect((await post(after.url, fresh, LIST)).status).toBe(200);
    expect((await post(after.url, old, LIST)).status).toBe(404);
  });

  it('counts rebuilt sessions against maxSessions: 503 with Retry-After beyond it', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET, maxSessions: 1 });
    await initialize(b.url);
    const moved = await post(b.url, await initialize(a.url), LIST);
    expect(moved.status).toBe(503);
    expect(moved.headers['retry-after']).toBe('5');
    expect(JSON.parse(moved.body).error.message).toContain('http.maxSessions');
  });

  it('DELETE ends the copy a replica holds and is accepted by one that holds none', async () => {
    const a = await replica({ sessionSecret: SECRET });
    const b = await replica({ sessionSecret: SECRET });
    const id = await initialize(a.url);
    const del = (url: string, session: string, authorization?: string) =>
      fetch(url, {
        method: 'DELETE',
        headers: { 'mcp-session-id': session, ...(authorization ? { authorization } : {}) },
      });
    expect((await del(b.url, id)).status).toBe(200);
    expect((await del(b.url, id, 'Bearer someone-else-0123456789')).status).toBe(404);
    expect(a.sessionCount()).toBe(1);
    expect((await del(a.url, id)).status).toBe(200);
    expect(a.sessionCount()).toBe(0);
  });

  it('without a secret ids are random and live in one process', async () => {
    const a = await replica({});
    const b = await replica({});
    const id = await initialize(a.url);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await post(a.url, id, LIST)).status).toBe(200);
    expect((await post(b.url, id, LIST)).status).toBe(404);
  });

  it('refuses calls to a sessionState server on a rebuilt session, and serves the others', async () => {
    const servers = [
      { id: 'a', tools: ['whoami' as const] },
      { id: 'login', sessionState: true, tools: [], extra: ['login'] },
    ];
    const a = await replica({ sessionSecret: SECRET }, servers);
    const b = await replica({ sessionSecret: SECRET }, servers);
    const host = await connectOver(new StreamableHTTPClientTransport(new URL(a.url)), 'web');
    cleanup(() => host.close());
    const id = (host.client.transport as StreamableHTTPClientTransport).sessionId as string;
    const whoami = { name: 'whoami', arguments: {} };
    const names = (await host.client.listTools()).tools.map((t) => t.name);
    expect(names.sort()).toEqual(['login', 'whoami']);
    expect(text(await host.client.callTool({ name: 'login', arguments: {} }))).toBe('login');
    const moved = await post(b.url, id, {
      jsonrpc: '2.0',
      id: 9,
      method: 'tools/call',
      params: { name: 'login', arguments: {} },
    });
    const error = JSON.parse(moved.body).error;
    expect(error.message).toContain('server "login" keeps per-session state');
    const other = await post(b.url, id, {
      jsonrpc: '2.0',
      id: 10,
      method: 'tools/call',
      params: whoami,
    });
    expect(JSON.parse(other.body).result.content[0].text).toBe('a');
  });
});
