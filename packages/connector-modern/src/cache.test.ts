import { withCache } from '@mcpool/cache';
import { useCleanup } from '@mcpool/core/testing';
import {
  startHttpServer,
  startRoundRobinProxy,
  startV2HttpServer,
  type V2CacheHints,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { modernPool } from './test-pool.js';

const cleanup = useCleanup();

/** A modern server with `hints` behind a proxy that counts its reads, a pool and a cache. */
async function cached(hints: V2CacheHints | undefined) {
  const server = cleanup(
    await startV2HttpServer({ id: 'm', legacy: 'reject', ...(hints ? { cacheHints: hints } : {}) }),
  );
  const proxy = cleanup(await startRoundRobinProxy([server.url]));
  const { client } = await modernPool(cleanup, [
    { id: 'm', transport: { type: 'streamable-http', url: proxy.url } },
  ]);
  const cache = withCache(client, {
    ttl: { resource: 60_000 },
    // The caller's key stands for its authorization context.
    partition: (context) => context.request.key ?? '',
  });
  cleanup(() => cache.close());
  const reads = () => proxy.methods.get('resources/read') ?? 0;
  const read = (key?: string) =>
    client.readResource({ uri: 'mcpool-test://m/info' }, key ? { key } : {});
  return { read, reads, cache };
}

describe("@mcpool/cache and a modern server's cache hints", () => {
  it('keeps a result no longer than its ttlMs', async () => {
    const { read, reads } = await cached({
      'resources/read': { ttlMs: 300, cacheScope: 'public' },
    });
    const first = await read();
    expect(first.contents[0]).toMatchObject({ uri: 'mcpool-test://m/info' });
    await read();
    expect(reads()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    await read();
    expect(reads()).toBe(2);
  });

  it('never keeps a result with ttlMs 0 (the default of a server that says nothing)', async () => {
    const { read, reads, cache } = await cached(undefined);
    await read();
    await read();
    expect(reads()).toBe(2);
    expect(cache.metrics().stored).toBe(0);
  });

  it('shares a public result across authorization contexts', async () => {
    const { read, reads } = await cached({
      'resources/read': { ttlMs: 60_000, cacheScope: 'public' },
    });
    await read('alice');
    await read('bob');
    expect(reads()).toBe(1);
  });

  it('never serves a private result to another authorization context', async () => {
    const { read, reads } = await cached({
      'resources/read': { ttlMs: 60_000, cacheScope: 'private' },
    });
    await read('alice');
    await read('alice');
    expect(reads()).toBe(1);
    await read('bob');
    expect(reads()).toBe(2);
    await read('bob');
    expect(reads()).toBe(2);
  });
});

describe("the pool's catalog and a modern server's list hints", () => {
  it('keeps what each list said (ttlMs, cacheScope), and nothing for a legacy server', async () => {
    const modern = cleanup(
      await startV2HttpServer({
        id: 'm',
        legacy: 'reject',
        cacheHints: {
          'tools/list': { ttlMs: 45_000, cacheScope: 'public' },
          'prompts/list': { ttlMs: 5_000, cacheScope: 'private' },
        },
      }),
    );
    const legacy = cleanup(await startHttpServer({ id: 'l' }));
    const { pool } = await modernPool(cleanup, [
      { id: 'm', transport: modern.transport },
      { id: 'l', transport: legacy.transport },
    ]);
    expect(pool.catalog.get('m')?.cacheHints).toEqual({
      tools: { ttlMs: 45_000, cacheScope: 'public' },
      prompts: { ttlMs: 5_000, cacheScope: 'private' },
      // The SDK's defaults for a list the server gave no hint for.
      resources: { ttlMs: 0, cacheScope: 'private' },
      resourceTemplates: { ttlMs: 0, cacheScope: 'private' },
    });
    expect(pool.catalog.get('l')?.cacheHints).toBeUndefined();
  });
});
