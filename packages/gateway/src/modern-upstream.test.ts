import { writeFile } from 'node:fs/promises';
import type { ServerPool } from '@mcpool/core';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { startHttpServer, startV2HttpServer, waitFor } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { checkServers } from './check.js';
import { parseGatewayConfig } from './config.js';
import { gatewayOptionsFromConfig } from './from-config.js';
import { Gateway } from './gateway.js';
import { startHttpGateway } from './http.js';
import { connectOver, spawnServe, text } from './test-helpers.js';

const cleanup = useCleanup();
const tmp = useTempDir('mcpool-modern-');

/** A v1 server offering `echo` and a v2 server of the 2026-07-28 era only offering `add`. */
async function startUpstreams() {
  const v1 = await startHttpServer({ id: 'old', toolNames: ['echo'] });
  cleanup(v1.close);
  const modern = await startV2HttpServer({ id: 'new', toolNames: ['add'], legacy: 'reject' });
  cleanup(modern.close);
  return { v1, modern };
}

describe('a gateway in front of a v1 server and a modern-only server', () => {
  it('registers the modern connector for protocol "2026-07-28": a v1 client lists and calls both', async () => {
    const { v1, modern } = await startUpstreams();
    const config = parseGatewayConfig({
      mcpServers: {
        old: { url: v1.url, protocol: 'legacy' },
        new: { url: modern.url, protocol: '2026-07-28' },
      },
    });
    const pools: ServerPool[] = [];
    const options = await gatewayOptionsFromConfig(config, {
      extensions: [
        ({ pool }) => {
          pools.push(pool);
          return undefined;
        },
      ],
    });
    const gateway = new Gateway(options);
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());

    const { client } = await connectOver(new StreamableHTTPClientTransport(new URL(http.url)));
    cleanup(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo']);
    expect(
      text(await client.callTool({ name: 'echo', arguments: { message: 'across eras' } })),
    ).toBe('across eras');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 5, b: 3 } }))).toBe('8');
    // The modern server was reached in its own era, never through initialize.
    expect(modern.toolCallsByEra()).toEqual({ legacy: 0, modern: 1 });
    expect(pools).toHaveLength(1);
    expect(
      pools[0]
        ?.getMetrics()
        .serverMetrics.map((s) => [s.serverId, s.era])
        .sort(),
    ).toEqual([
      ['new', 'modern'],
      ['old', 'legacy'],
    ]);
  });

  it('leaves a configuration without a modern protocol on the legacy connector', async () => {
    const { v1, modern } = await startUpstreams();
    const config = parseGatewayConfig({
      mcpServers: { old: { url: v1.url }, new: { url: modern.url } },
    });
    const options = await gatewayOptionsFromConfig(config);
    expect(options.pool?.connectors).toBeUndefined();
  });

  it('`mcpool serve --http` with protocol "auto" serves both to a v1 client', async () => {
    const { v1, modern } = await startUpstreams();
    const file = tmp.path('auto.json');
    await writeFile(
      file,
      JSON.stringify({
        mcpServers: { old: { url: v1.url }, new: { url: modern.url, protocol: 'auto' } },
      }),
    );
    const serve = await spawnServe(file);
    cleanup(serve.kill);

    const { client } = await connectOver(new StreamableHTTPClientTransport(new URL(serve.url)));
    cleanup(() => client.close());
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['add', 'echo']);
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe('hi');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } }))).toBe('4');
    expect(modern.toolCallsByEra()).toEqual({ legacy: 0, modern: 1 });
  });

  it('`mcpool check` reaches the modern-only server in its era', async () => {
    const { v1, modern } = await startUpstreams();
    const config = parseGatewayConfig({
      mcpServers: {
        old: { url: v1.url, protocol: 'legacy' },
        new: { url: modern.url, protocol: '2026-07-28' },
      },
    });
    const rows = await checkServers(config, { timeoutMs: 5_000 });
    expect(rows.map((r) => [r.server, r.status, r.era, r.tools])).toEqual([
      ['old', 'ok', 'legacy', ['echo']],
      ['new', 'ok', 'modern', ['add']],
    ]);
  });

  it('passes a resource subscription of a v1 client on to the modern server as a listen filter', async () => {
    const modern = await startV2HttpServer({ id: 'new', legacy: 'reject', subscriptions: true });
    cleanup(modern.close);
    const config = parseGatewayConfig({
      mcpServers: { new: { url: modern.url, protocol: '2026-07-28' } },
    });
    const gateway = new Gateway(await gatewayOptionsFromConfig(config));
    cleanup(() => gateway.close());
    const http = await startHttpGateway(gateway, { port: 0 });
    cleanup(() => http.close());
    const host = await connectOver(new StreamableHTTPClientTransport(new URL(http.url)));
    cleanup(() => host.close());
    const uri = 'mcpool-test://new/info';
    await host.client.subscribeResource({ uri });
    modern.state.touch(uri);
    await waitFor(() => host.updated.length > 0, { message: 'the update downstream' });
    expect(host.updated).toEqual([uri]);
  });
});
