// The gateway's HTTP endpoint serves both protocol eras: legacy clients (v1 SDK, v2 default)
// with sessions as before, and modern clients (v2 auto, v2 pinned to 2026-07-28) with none,
// all over the same testkit v1 (legacy) upstream servers.

import { useCleanup } from '@mcpool/core/testing';
import {
  connectEraClient,
  type EraClient,
  type EraClientKind,
  startHttpServer,
  waitFor,
} from '@mcpool/testkit';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Http,
} from '@modelcontextprotocol/client';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1Http } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { Gateway } from './gateway.js';
import { type HttpGateway, startHttpGateway } from './http.js';
import { text } from './test-helpers.js';

const MODERN = '2026-07-28';
const cleanup = useCleanup();

/** A client of `kind` through the gateway at `url` (the testkit's era clients), closed after the test. */
async function connect(kind: EraClientKind, url: string): Promise<EraClient> {
  return cleanup(await connectEraClient(kind, { type: 'streamable-http', url }));
}

async function serve(): Promise<{ http: HttpGateway; gateway: Gateway }> {
  const up = await startHttpServer({ id: 'up' });
  cleanup(up.close);
  const gateway = new Gateway({ servers: [{ id: 'up', transport: up.transport }] });
  cleanup(() => gateway.close());
  const http = await startHttpGateway(gateway, { port: 0 });
  cleanup(() => http.close());
  return { http, gateway };
}

/** One modern JSON-RPC POST, headers as given. */
async function post(
  url: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', ...body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const envelope = {
  'io.modelcontextprotocol/protocolVersion': MODERN,
  'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

describe('gateway over HTTP, both eras', () => {
  it.each<[EraClientKind, string]>([
    ['v1', 'legacy'],
    ['v2-default', 'legacy'],
    ['v2-auto', 'modern'],
    ['v2-pinned', 'modern'],
  ])(
    'a %s client sees the merged catalog and calls through the pool (%s era)',
    async (kind, era) => {
      const { http } = await serve();
      const client = await connect(kind, http.url);
      expect(client.era).toBe(era);
      expect(await client.listToolNames()).toContain('add');
      expect(text(await client.callTool('add', { a: 2, b: 3 }))).toBe('5');
      expect(text(await client.callTool('whoami', {}))).toBe('up');
      // Modern clients hold no downstream session.
      expect(http.sessionCount()).toBe(era === 'legacy' ? 1 : 0);
    },
  );

  it('answers server/discover with the merged capabilities and lists with truthful cache fields', async () => {
    const { http } = await serve();
    const discover = await post(
      http.url,
      { id: 1, method: 'server/discover', params: { _meta: envelope } },
      { 'mcp-method': 'server/discover' },
    );
    expect(discover.status).toBe(200);
    const result = discover.json.result as Record<string, unknown>;
    expect(result.supportedVersions).toContain(MODERN);
    expect(result.capabilities).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: true },
      prompts: { listChanged: true },
    });
    const meta = result._meta as Record<string, { name: string }>;
    expect(meta['io.modelcontextprotocol/serverInfo']?.name).toBe('mcpool');
    const list = await post(
      http.url,
      { id: 2, method: 'tools/list', params: { _meta: envelope } },
      { 'mcp-method': 'tools/list' },
    );
    const tools = list.json.result as {
      tools: { name: string }[];
      ttlMs: number;
      cacheScope: string;
    };
    expect(tools.tools.map((t) => t.name)).toContain('add');
    // Legacy upstreams give no hint: nothing may be cached, and never across tokens.
    expect(tools.ttlMs).toBe(0);
    expect(tools.cacheScope).toBe('private');
  });

  it('rejects Mcp-Method / Mcp-Name headers that disagree with the body (-32020)', async () => {
    const { http } = await serve();
    const method = await post(
      http.url,
      { id: 1, method: 'tools/list', params: { _meta: envelope } },
      { 'mcp-method': 'prompts/list' },
    );
    expect(method.status).toBe(400);
    expect((method.json.error as { code: number }).code).toBe(-32020);
    const name = await post(
      http.url,
      {
        id: 2,
        method: 'tools/call',
        params: { name: 'add', arguments: { a: 1, b: 1 }, _meta: envelope },
      },
      { 'mcp-method': 'tools/call', 'mcp-name': 'echo' },
    );
    expect(name.status).toBe(400);
    expect((name.json.error as { code: number }).code).toBe(-32020);
  });

  it('answers an unsupported version with -32022 naming the supported ones', async () => {
    const { http } = await serve();
    const answer = await post(
      http.url,
      {
        id: 1,
        method: 'tools/list',
        params: { _meta: { ...envelope, 'io.modelcontextprotocol/protocolVersion': '2099-01-01' } },
      },
      { 'mcp-method': 'tools/list', 'mcp-protocol-version': '2099-01-01' },
    );
    const error = answer.json.error as { code: number; data: { supported: string[] } };
    expect(error.code).toBe(-32022);
    expect(error.data.supported).toContain(MODERN);
  });

  it('tells a modern client of catalog changes through subscriptions/listen', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const gateway = new Gateway({ servers: [{ id: 'up', transport: up.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());
    let changed = 0;
    const client = new V2Client(
      { name: 'listener', version: '0' },
      {
        versionNegotiation: { mode: { pin: MODERN } },
        listChanged: {
          tools: {
            onChanged: () => {
              changed++;
            },
          },
        },
      },
    );
    await client.connect(new V2Http(new URL(http.url)));
    cleanup(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('fresh');
    await waitFor(() => gateway.sessions.size === 1 || undefined, {
      message: 'the modern session',
    });
    up.state.addTool('fresh');
    await waitFor(() => changed > 0 || undefined, {
      message: 'notifications/tools/list_changed on the listen stream',
      timeoutMs: 10_000,
    });
    expect(
      (await client.listTools({}, { cacheMode: 'refresh' })).tools.map((t) => t.name),
    ).toContain('fresh');
    // A listen stream is not a call in flight: a drain need not wait for it.
    expect(http.inflightCount()).toBe(0);
  });
});

describe('gateway over HTTP, modern calls', () => {
  it('relays progress, and gives an unknown tool the same error in both eras', async () => {
    const { http } = await serve();
    const modern = new V2Client(
      { name: 'modern', version: '0' },
      { versionNegotiation: { mode: { pin: MODERN } } },
    );
    await modern.connect(new V2Http(new URL(http.url)));
    cleanup(() => modern.close());
    const seen: number[] = [];
    const result = await modern.callTool(
      { name: 'progress', arguments: { steps: 2 } },
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(result.isError).not.toBe(true);
    expect(seen).toEqual([1, 2]);

    const legacy = await connect('v1', http.url);
    const errors = await Promise.all(
      [modern.callTool({ name: 'nope', arguments: {} }), legacy.callTool('nope', {})].map((p) =>
        p.then(
          () => undefined,
          (error: { code?: number; message?: string }) => error,
        ),
      ),
    );
    const [fromModern, fromLegacy] = errors;
    expect(fromModern?.code).toBe(-32602);
    expect(fromLegacy?.code).toBe(-32602);
    expect(fromModern?.message).toContain('No healthy server offers the tool "nope"');
    expect(fromLegacy?.message).toContain('No healthy server offers the tool "nope"');
  });

  it('names the URI of a resource no server has in the error data, in both eras', async () => {
    const { http } = await serve();
    const modern = new V2Client(
      { name: 'modern', version: '0' },
      { versionNegotiation: { mode: { pin: MODERN } } },
    );
    await modern.connect(new V2Http(new URL(http.url)));
    cleanup(() => modern.close());
    const legacy = new V1Client({ name: 'legacy', version: '0' });
    await legacy.connect(new V1Http(new URL(http.url)));
    cleanup(() => legacy.close());
    const uri = 'mcpool-test://up/nothing-here';
    // One at a time: a second read made at once would reject before it is awaited.
    for (const read of [() => modern.readResource({ uri }), () => legacy.readResource({ uri })]) {
      const error = (await read().then(
        () => undefined,
        (e: unknown) => e,
      )) as { data?: { uri?: string } } | undefined;
      expect(error?.data?.uri).toBe(uri);
    }
  });

  it('asks a modern request for the bearer token like any other (401)', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const gateway = new Gateway({ servers: [{ id: 'up', transport: up.transport }] });
    cleanup(() => gateway.close());
    const token = 'modern-token-0123456789abcdef';
    const http = await startHttpGateway(gateway, { port: 0, token });
    cleanup(() => http.close());
    const body = { id: 1, method: 'tools/list', params: { _meta: envelope } };
    const refused = await post(http.url, body, { 'mcp-method': 'tools/list' });
    expect(refused.status).toBe(401);
    const served = await post(http.url, body, {
      'mcp-method': 'tools/list',
      authorization: `Bearer ${token}`,
    });
    expect(served.status).toBe(200);
    expect((served.json.result as { tools: unknown[] }).tools.length).toBeGreaterThan(0);
  });
});

describe('gateway over HTTP, modern resource updates', () => {
  it('subscribes upstream while a listen stream asks for a resource, and forwards its updates', async () => {
    const up = await startHttpServer({ id: 'up', subscriptions: true });
    cleanup(up.close);
    const gateway = new Gateway({ servers: [{ id: 'up', transport: up.transport }] });
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());
    const client = new V2Client(
      { name: 'listener', version: '0' },
      { versionNegotiation: { mode: { pin: MODERN } } },
    );
    const updated: string[] = [];
    client.setNotificationHandler('notifications/resources/updated', (notification) => {
      updated.push(notification.params.uri);
    });
    await client.connect(new V2Http(new URL(http.url)));
    cleanup(() => client.close());
    const uri = 'mcpool-test://up/info';
    const subscription = await client.listen({ resourceSubscriptions: [uri] });
    expect(subscription.honoredFilter.resourceSubscriptions).toEqual([uri]);
    expect(up.state.subscribes).toBe(1);
    expect(up.state.touch(uri)).toBeGreaterThan(0);
    await waitFor(() => updated.includes(uri) || undefined, {
      message: 'notifications/resources/updated on the listen stream',
    });
    await subscription.close();
    // The last stream that asked for it is gone: the upstream subscription ends too.
    await waitFor(() => up.state.unsubscribes === 1 || undefined, {
      message: 'resources/unsubscribe upstream',
    });
  });
});
