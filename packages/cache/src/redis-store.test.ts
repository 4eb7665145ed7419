import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { testCacheStore } from '@mcpool/core/testing';
import { delay, freePort, startInProcessServer, waitFor } from '@mcpool/testkit';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisStore, redisStore } from './redis-store.js';
import { Cleanup, calls, rig, text } from './test-setup.js';
import { withCache } from './with-cache.js';

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
// CI installs redis-server (.ci/run): there a missing server is a failure, not a skip.
if (!hasRedis && process.env.CI) {
  throw new Error(`CI=${process.env.CI} but there is no redis-server on PATH: run .ci/run first.`);
}
if (!hasRedis) {
  console.warn(
    '[@mcpool/cache] Skipping the Redis store tests: no redis-server on PATH (apt-get install -y redis-server).',
  );
}

/** A private redis-server on a free port of 127.0.0.1, nothing saved to disk. */
async function startRedis(): Promise<{
  url: string;
  process: ChildProcess;
  stop: () => Promise<void>;
}> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    try {
      await waitFor(
        () => output.includes('Ready to accept connections') || child.exitCode !== null,
        {
          timeoutMs: 5_000,
          message: 'redis-server to start',
        },
      );
    } catch (error) {
      await stop();
      throw error;
    }
    if (child.exitCode === null) return { url: `redis://127.0.0.1:${port}`, process: child, stop };
    // Someone took the port between freePort() and bind: try another.
    if (attempt >= 3) throw new Error(`redis-server did not start: ${output}`);
  }
}

describe.skipIf(!hasRedis)('redisStore conformance', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let prefix = 0;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  testCacheStore('redisStore', async () => {
    const store = redisStore({ url: redis.url, prefix: `conformance${++prefix}:` });
    await waitFor(() => store.connected, { message: 'redis connection' });
    return store;
  });
});

describe.skipIf(!hasRedis)('redisStore against a real redis-server', () => {
  const cleanup = new Cleanup();
  let redis: Awaited<ReturnType<typeof startRedis>>;

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterEach(() => cleanup.run());
  afterAll(async () => {
    await redis?.stop();
  });

  function store(prefix: string): RedisStore {
    const s = redisStore({ url: redis.url, prefix });
    cleanup.add(() => s.close());
    return s;
  }

  it('stores, expires, deletes and clears only under its prefix', async () => {
    const s = store('t1:');
    await waitFor(() => s.connected, { message: 'redis connection' });
    const raw = new Redis(redis.url);
    cleanup.add(() => {
      raw.disconnect();
    });
    await raw.set('other:keep', 'x');
    await s.set('a', '1', 10_000);
    await s.set('short', '2', 30);
    expect(await s.get('a')).toBe('1');
    expect(await raw.get('t1:a')).toBe('1');
    await delay(60);
    expect(await s.get('short')).toBeUndefined();
    await s.delete('a');
    expect(await s.get('a')).toBeUndefined();
    for (let i = 0; i < 1_200; i++) await s.set(`k${i}`, 'v', 10_000);
    await s.clear();
    expect(await raw.keys('t1:*')).toEqual([]);
    expect(await raw.get('other:keep')).toBe('x');
  });

  it('is shared by two client replicas: what one fetched, the other gets from the cache', async () => {
    const servers = [startInProcessServer({ id: 'r1' }), startInProcessServer({ id: 'r2' })];
    cleanup.add(() => Promise.all(servers.map((s) => s.close())).then(() => {}));
    const a = await rig(cleanup, 0, { servers });
    const b = await rig(cleanup, 0, { servers });
    const storeA = store('shared:');
    const storeB = store('shared:');
    await waitFor(() => storeA.connected && storeB.connected, { message: 'redis connections' });
    const cacheA = withCache(a.client, { store: storeA });
    const cacheB = withCache(b.client, { store: storeB });
    cleanup.add(() => cacheA.close());
    cleanup.add(() => cacheB.close());

    const fromA = await a.client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    await cacheA.settled();
    const fromB = await b.client.callTool({ name: 'add', arguments: { b: 22, a: 20 } });
    expect(text(fromA)).toBe('42');
    expect(fromB).toEqual(fromA);
    expect(servers.reduce((n, s) => n + calls(s, 'add'), 0)).toBe(1);
    expect(cacheB.metrics()).toMatchObject({ hits: 1, misses: 0 });

    // A non-read-only tool is never shared, even through Redis.
    await a.client.callTool({ name: 'counter', arguments: {} });
    await cacheA.settled();
    await b.client.callTool({ name: 'counter', arguments: {} });
    expect(servers.reduce((n, s) => n + calls(s, 'counter'), 0)).toBe(2);
  });

  it('degrades to no caching, never to errors, when Redis goes away mid-test', async () => {
    const own = await startRedis();
    cleanup.add(() => own.stop());
    const { servers, client } = await rig(cleanup, 1);
    const s = redisStore({ url: own.url });
    cleanup.add(() => s.close());
    await waitFor(() => s.connected, { message: 'redis connection' });
    const errors: string[] = [];
    const cache = withCache(client, {
      store: s,
      closeStore: true,
      onError: (_error, operation) => errors.push(operation),
    });
    cleanup.add(() => cache.close());

    await client.callTool({ name: 'echo', arguments: { message: 'before' } });
    await cache.settled();
    await client.callTool({ name: 'echo', arguments: { message: 'before' } });
    expect(calls(servers[0], 'echo')).toBe(1);

    await own.stop();
    for (let i = 0; i < 5; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: 'during' } });
      expect(text(r)).toBe('during');
      await cache.settled();
    }
    // No cache while Redis is gone: every call went upstream, and each failure was counted.
    expect(calls(servers[0], 'echo')).toBe(6);
    expect(errors).toContain('get');
    expect(cache.metrics().errors).toBeGreaterThanOrEqual(5);
    await cache.close();
    // The store was the cache's to close: its client gave up reconnecting.
    await expect(s.client.get('x')).rejects.toThrow();
  });
});
