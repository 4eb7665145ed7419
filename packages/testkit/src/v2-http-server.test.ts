import {
  Client,
  ProtocolError,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import {
  connectEraClient,
  ERA_CLIENT_KINDS,
  type EraClient,
  type EraClientKind,
  eraText,
} from './era-clients.js';
import { initializeBody, MCP_HEADERS, useCleanups } from './test-rig.js';
import { STANDARD_TOOL_NAMES } from './test-server.js';
import {
  startV2HttpServer,
  type V2HttpTestServer,
  type V2HttpTestServerOptions,
} from './v2-http-server.js';
import { waitFor } from './wait.js';

const LEGACY_INITIALIZE = initializeBody('2025-11-25');

describe('startV2HttpServer', () => {
  const cleanups = useCleanups();

  async function start(options: V2HttpTestServerOptions): Promise<V2HttpTestServer> {
    const server = await startV2HttpServer(options);
    cleanups.push(() => server.close());
    return server;
  }

  async function connect(kind: EraClientKind, server: V2HttpTestServer): Promise<EraClient> {
    const client = await connectEraClient(kind, server.transport);
    cleanups.push(() => client.close().catch(() => {}));
    return client;
  }

  describe('dual-era (legacy: stateless)', () => {
    it.each([
      ['v1', 'legacy'],
      ['v2-default', 'legacy'],
      ['v2-auto', 'modern'],
      ['v2-pinned', 'modern'],
    ] as const)('serves a %s client in the %s era', async (kind, era) => {
      const server = await start({ id: 'dual', answerOffset: 1 });
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
      const client = await connect(kind, server);
      expect(client.era).toBe(era);
      expect((await client.listToolNames()).sort()).toEqual([...STANDARD_TOOL_NAMES].sort());
      const sum = await client.callTool('add', { a: 20, b: 21 });
      expect(eraText(sum)).toBe('42');
      expect(sum.structuredContent).toEqual({ sum: 42 });
      expect(eraText(await client.callTool('whoami'))).toBe('dual');
      expect(server.toolCallsByEra()).toEqual(
        era === 'legacy' ? { legacy: 2, modern: 0 } : { legacy: 0, modern: 2 },
      );
      expect(server.state.calls).toEqual({ add: 1, whoami: 1 });
    });

    it('builds a fresh instance per request in both eras, server/discover included', async () => {
      const server = await start({ id: 'dual' });
      const modern = await connect('v2-auto', server);
      // server/discover, then tools/call.
      await modern.callTool('echo', { message: 'x' });
      expect(server.instancesByEra()).toEqual({ legacy: 0, modern: 2 });
      const legacy = await connect('v1', server);
      const before = server.instancesByEra().legacy;
      expect(before).toBeGreaterThanOrEqual(1); // initialize (and notifications/initialized)
      await legacy.callTool('echo', { message: 'x' });
      expect(server.instancesByEra().legacy).toBe(before + 1);
    });

    it('rejects an unknown tool with -32602 in both eras (a v1 server answers isError instead)', async () => {
      const server = await start({ id: 'dual' });
      const v1 = await connect('v1', server);
      const error = await v1.callTool('nope').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect((error as McpError).code).toBe(-32602);
      const modern = await connect('v2-pinned', server);
      const modernError = await modern.callTool('nope').catch((e: unknown) => e);
      expect(modernError).toBeInstanceOf(ProtocolError);
      expect((modernError as ProtocolError).code).toBe(-32602);
      expect((modernError as ProtocolError).message).toMatch(/Tool nope not found/);
    });

    it('answers the 2025 GET stream with 405: legacy serving is stateless', async () => {
      const server = await start({ id: 'dual' });
      const response = await fetch(server.url, { headers: { accept: 'text/event-stream' } });
      await response.body?.cancel();
      expect(response.status).toBe(405);
    });

    it('offers tools added later to requests that follow', async () => {
      const server = await start({ id: 'dual' });
      const client = await connect('v2-auto', server);
      server.state.addTool('late');
      expect(await client.listToolNames()).toContain('late');
      expect(eraText(await client.callTool('late'))).toBe('late');
      server.state.removeTool('late');
      expect(await client.listToolNames()).not.toContain('late');
    });
  });

  describe('modern-only (legacy: reject)', () => {
    it('refuses a legacy initialize with 400 and -32022 naming the supported revisions', async () => {
      const server = await start({ id: 'strict', legacy: 'reject' });
      const response = await fetch(server.url, {
        method: 'POST',
        headers: MCP_HEADERS,
        body: LEGACY_INITIALIZE,
      });
      // The 2026-07-28 spec: UnsupportedProtocolVersionError, and over HTTP a 400.
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        jsonrpc: '2.0',
        id: 1,
        error: {
          code: -32022,
          message: 'Unsupported protocol version: 2025-11-25',
          data: { supported: ['2026-07-28'], requested: '2025-11-25' },
        },
      });
      expect(server.instancesByEra()).toEqual({ legacy: 0, modern: 0 });
    });

    it('fails the v1 client and the v2 default client at connect, with the -32022 body', async () => {
      const server = await start({ id: 'strict', legacy: 'reject' });
      const v1 = await connectEraClient('v1', server.transport).catch((e: unknown) => e);
      expect(v1).toBeInstanceOf(StreamableHTTPError);
      expect((v1 as StreamableHTTPError).code).toBe(400);
      expect((v1 as Error).message).toMatch(/-32022/);
      const v2 = await connectEraClient('v2-default', server.transport).catch((e: unknown) => e);
      // The v2 client reports the 400 as an HTTP error, not as the JSON-RPC error it carries.
      expect(v2).toBeInstanceOf(SdkHttpError);
      expect((v2 as SdkHttpError).code).toBe(SdkErrorCode.ClientHttpNotImplemented);
      expect((v2 as SdkHttpError).data).toMatchObject({ status: 400 });
      expect((v2 as Error).message).toMatch(/-32022/);
      expect(server.toolCallsByEra()).toEqual({ legacy: 0, modern: 0 });
    });

    it.each(['v2-auto', 'v2-pinned'] as const)('serves a %s client', async (kind) => {
      const server = await start({ id: 'strict', legacy: 'reject' });
      const client = await connect(kind, server);
      expect(client.era).toBe('modern');
      expect(eraText(await client.callTool('add', { a: 1, b: 2 }))).toBe('3');
      expect(server.toolCallsByEra()).toEqual({ legacy: 0, modern: 1 });
    });
  });

  describe('knobs', () => {
    it.each(ERA_CLIENT_KINDS)('mode error gives a %s client a -32603 error', async (kind) => {
      const server = await start({ id: 'knob' });
      const client = await connect(kind, server);
      server.state.mode = 'error';
      const error = await client.callTool('echo', { message: 'x' }).catch((e: unknown) => e);
      expect((error as { code?: unknown }).code).toBe(-32603);
      expect((error as Error).message).toMatch(/failed on purpose/);
      expect(server.state.callCount).toBe(1);
      server.state.mode = 'ok';
      expect(eraText(await client.callTool('echo', { message: 'back' }))).toBe('back');
    });

    it('mode garbage makes the call reject at once in both eras', async () => {
      const server = await start({ id: 'knob', mode: 'garbage' });
      for (const kind of ['v1', 'v2-auto'] as const) {
        const client = await connect(kind, server);
        await expect(
          client.callTool('echo', { message: 'x' }, { timeout: 5_000 }),
        ).rejects.toThrow();
      }
      expect(server.state.callCount).toBe(2);
    });

    it('mode hang never answers: the modern client times out with SdkError REQUEST_TIMEOUT', async () => {
      const server = await start({ id: 'knob', mode: 'hang' });
      const client = await connect('v2-auto', server);
      const error = await client
        .callTool('echo', { message: 'x' }, { timeout: 200 })
        .catch((e) => e);
      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe(SdkErrorCode.RequestTimeout);
      expect(server.state.callCount).toBe(1);
    });

    it('a modern abort closes the request stream and the tool handler sees the cancel', async () => {
      const server = await start({ id: 'knob' });
      const client = await connect('v2-pinned', server);
      const controller = new AbortController();
      const call = client.callTool('sleep', { ms: 10_000 }, { signal: controller.signal });
      await waitFor(() => server.state.calls.sleep === 1);
      // Give the SDK time to start the handler before the abort.
      await new Promise((resolve) => setTimeout(resolve, 50));
      controller.abort();
      const error = await call.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe(SdkErrorCode.RequestTimeout);
      await waitFor(() => server.state.cancelled === 1);
    });

    it('latencyMs delays tools/call', async () => {
      const server = await start({ id: 'knob', latencyMs: 150 });
      const client = await connect('v2-auto', server);
      const started = performance.now();
      await client.callTool('whoami');
      expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('crash kills the server; restart() serves again on the same port', async () => {
      const server = await start({ id: 'knob' });
      const client = await connect('v2-auto', server);
      server.state.mode = 'crash';
      await expect(client.callTool('whoami', {}, { timeout: 5_000 })).rejects.toThrow();
      await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
      server.state.mode = 'ok';
      await server.restart();
      // No session to lose: the same modern client goes on after the restart.
      expect(eraText(await client.callTool('whoami'))).toBe('knob');
      const legacy = await connect('v1', server);
      expect(eraText(await legacy.callTool('whoami'))).toBe('knob');
    });
  });
  describe('modern-era facts a pool relies on', () => {
    async function modernClient(server: V2HttpTestServer): Promise<Client> {
      const client = new Client(
        { name: 'facts', version: '0' },
        { versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      cleanups.push(() => client.close());
      return client;
    }

    function causeCode(error: unknown): unknown {
      return (error as { cause?: { code?: unknown } }).cause?.code;
    }

    it('has no ping (a local SdkError) and answers discover() with cache hints', async () => {
      const server = await start({ id: 'facts' });
      const client = await modernClient(server);
      const error = await client.ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SdkError);
      expect((error as SdkError).code).toBe(SdkErrorCode.MethodNotSupportedByProtocolVersion);
      const discovered = (await client.discover()) as unknown as Record<string, unknown>;
      expect(discovered.supportedVersions).toContain('2026-07-28');
      expect(discovered).toHaveProperty('ttlMs');
      expect(discovered).toHaveProperty('cacheScope');
    });

    it('reports a dropped stream and a refused connection as fetch TypeErrors, not SdkErrors', async () => {
      const server = await start({ id: 'facts', latencyMs: 100 });
      const client = await modernClient(server);
      server.state.mode = 'crash';
      const dropped = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
      expect(dropped).toBeInstanceOf(TypeError);
      expect(dropped).not.toBeInstanceOf(SdkError);
      // The request reached the server: only the cause tells this from a refusal.
      expect(causeCode(dropped)).toBe('UND_ERR_SOCKET');
      const refused = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TypeError);
      expect(causeCode(refused)).toBe('ECONNREFUSED');
    });

    it('rejects a request whose Mcp-Method header disagrees with its body: 400 and -32020', async () => {
      const server = await start({ id: 'facts' });
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          ...MCP_HEADERS,
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/list',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 5,
          method: 'tools/call',
          params: {
            name: 'whoami',
            arguments: {},
            _meta: {
              'io.modelcontextprotocol/protocolVersion': '2026-07-28',
              'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
              'io.modelcontextprotocol/clientCapabilities': {},
            },
          },
        }),
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { id: unknown; error: { code: number } };
      expect(body.id).toBe(5);
      expect(body.error.code).toBe(-32020);
    });
  });
});
