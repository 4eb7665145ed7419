import { useCleanup } from '@mcpool/core/testing';
import { startHttpServer, startV2HttpServer, type V2CacheHints } from '@mcpool/testkit';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Http,
} from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { mergeCacheHints } from './cache-hints.js';
import type { GatewayServer } from './config.js';
import { connectorsFor } from './connectors.js';
import { Gateway } from './gateway.js';
import { startHttpGateway } from './http.js';

describe('mergeCacheHints', () => {
  it('keeps the shortest ttl, public only when every upstream said public', () => {
    expect(
      mergeCacheHints([
        { ttlMs: 500, cacheScope: 'public' },
        { ttlMs: 200, cacheScope: 'public' },
      ]),
    ).toEqual({
      ttlMs: 200,
      cacheScope: 'public',
    });
    expect(
      mergeCacheHints([
        { ttlMs: 500, cacheScope: 'public' },
        { ttlMs: 900, cacheScope: 'private' },
      ]),
    ).toEqual({
      ttlMs: 500,
      cacheScope: 'private',
    });
    expect(mergeCacheHints([{ ttlMs: 500, cacheScope: 'public' }, undefined])).toEqual({
      ttlMs: 0,
      cacheScope: 'private',
    });
  });
});

describe("a modern client's lists carry the cache hints of the gateway's upstreams", () => {
  const cleanup = useCleanup();

  /** The given upstreams (a v2 modern-only server per hint, or a v1 one), a gateway and a pinned client's lists. */
  async function lists(
    upstreams: readonly ({ id: string } & ({ v1: true } | { hints: V2CacheHints }))[],
  ) {
    const servers: GatewayServer[] = [];
    for (const up of upstreams) {
      const started =
        'v1' in up
          ? cleanup(await startHttpServer({ id: up.id }))
          : cleanup(await startV2HttpServer({ id: up.id, legacy: 'reject', cacheHints: up.hints }));
      servers.push({ id: up.id, transport: started.transport, protocol: 'auto' });
    }
    const gateway = cleanup(
      new Gateway({ servers, pool: { connectors: await connectorsFor(servers) } }),
    );
    const http = cleanup(await startHttpGateway(gateway, { port: 0 }));
    const client = new V2Client(
      { name: 'hinted', version: '0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new V2Http(new URL(http.url)));
    cleanup(() => client.close());
    const tools = (await client.listTools()) as {
      tools: { name: string }[];
      ttlMs?: number;
      cacheScope?: string;
    };
    const prompts = (await client.listPrompts()) as { ttlMs?: number; cacheScope?: string };
    return { tools, prompts };
  }

  const minute = { ttlMs: 60_000, cacheScope: 'public' } as const;

  it('keeps the shortest ttl of every upstream, public when every one said so', async () => {
    const { tools, prompts } = await lists([
      { id: 'a', hints: { 'tools/list': minute, 'prompts/list': minute } },
      {
        id: 'b',
        hints: { 'tools/list': { ttlMs: 30_000, cacheScope: 'public' }, 'prompts/list': minute },
      },
    ]);
    expect(tools.tools.map((t) => t.name)).toContain('add');
    expect(tools.cacheScope).toBe('public');
    // What is left of the shortest promise since the catalog was fetched.
    expect(tools.ttlMs).toBeLessThanOrEqual(30_000);
    expect(tools.ttlMs).toBeGreaterThan(20_000);
    expect(prompts.cacheScope).toBe('public');
    expect(prompts.ttlMs).toBeGreaterThan(30_000);
    expect(prompts.ttlMs).toBeLessThanOrEqual(60_000);
  });

  it('is private when one upstream said private, and says nothing (0, private) for a list an upstream gave no hint', async () => {
    const { tools, prompts } = await lists([
      { id: 'a', hints: { 'tools/list': minute, 'prompts/list': minute } },
      { id: 'b', hints: { 'tools/list': { ttlMs: 60_000, cacheScope: 'private' } } },
    ]);
    expect(tools.cacheScope).toBe('private');
    expect(tools.ttlMs).toBeGreaterThan(30_000);
    expect(prompts).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
  });

  it('promises nothing once a legacy upstream takes part', async () => {
    const { tools } = await lists([
      { id: 'a', hints: { 'tools/list': minute } },
      { id: 'old', v1: true },
    ]);
    expect(tools).toMatchObject({ ttlMs: 0, cacheScope: 'private' });
  });
});
