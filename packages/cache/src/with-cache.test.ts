import { all } from '@mcpool/aggregators';
import { AbortedError, InvalidConfigError, MultiServerClient, ServerPool } from '@mcpool/core';
import { delay, startInProcessServer, waitFor } from '@mcpool/testkit';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from './memory-store.js';
import type { CacheHandle, CacheOptions } from './options.js';
import type { CacheStore } from './store.js';
import { Cleanup, calls, rig, text } from './test-setup.js';
import { withCache } from './with-cache.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function cached(client: Parameters<typeof withCache>[0], options?: CacheOptions): CacheHandle {
  const cache = withCache(client, options);
  cleanup.add(() => cache.close());
  return cache;
}

/** A server with one resource whose text the test changes, announcing it with resources/updated. */
function documentServer(id: string) {
  let content = 'v1';
  let reads = 0;
  let readDelayMs = 0;
  const live = new Set<McpServer>();
  const create = async (): Promise<Transport> => {
    const server = new McpServer(
      { name: id, version: '0.0.0' },
      { capabilities: { resources: { subscribe: true, listChanged: true } } },
    );
    server.registerResource('doc', 'docs://doc', { mimeType: 'text/plain' }, async (uri) => {
      reads++;
      const answer = content;
      if (readDelayMs > 0) await delay(readDelayMs);
      return { contents: [{ uri: uri.href, text: answer }] };
    });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    live.add(server);
    return clientSide;
  };
  return {
    id,
    transport: { type: 'custom' as const, create },
    set: (next: string) => {
      content = next;
    },
    slowReads: (ms: number) => {
      readDelayMs = ms;
    },
    reads: () => reads,
    /** Every live session tells its client the resource changed. */
    announceUpdate: () =>
      Promise.all([...live].map((s) => s.server.sendResourceUpdated({ uri: 'docs://doc' }))),
    close: () => Promise.all([...live].map((s) => s.close())),
  };
}

function docText(result: { contents: unknown[] }): string {
  return (result.contents[0] as { text?: string }).text ?? '';
}

describe('withCache: what is cached', () => {
  it('answers a repeated read-only tool call from the cache (no second upstream call)', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client);
    const first = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    const second = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(text(first)).toBe('5');
    expect(second).toEqual(first);
    expect(second).not.toBe(first);
    expect(calls(servers[0], 'add')).toBe(1);
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 1, stored: 1, entries: 1 });
    expect(cache.metrics().hitRate).toBe(0.5);
  });

  it('ignores the order of arguments when it builds keys', async () => {
    const { servers, client } = await rig(cleanup, 1);
    cached(client);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    const swapped = await client.callTool({ name: 'add', arguments: { b: 2, a: 1 } });
    expect(text(swapped)).toBe('3');
    expect(calls(servers[0], 'add')).toBe(1);
    await client.callTool({ name: 'add', arguments: { a: 2, b: 1 } });
    expect(calls(servers[0], 'add')).toBe(2);
  });

  it('keeps pinned and unpinned answers apart, so a pinned call never gets another server’s answer', async () => {
    const { servers, client } = await rig(cleanup, 2);
    const cache = cached(client);
    const unpinned = text(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(['s1', 's2']).toContain(unpinned);
    const other = unpinned === 's1' ? 's2' : 's1';
    const pinned = await client.callTool({ name: 'whoami', arguments: {} }, { server: other });
    expect(text(pinned)).toBe(other);
    const pinnedAgain = await client.callTool({ name: 'whoami', arguments: {} }, { server: other });
    expect(text(pinnedAgain)).toBe(other);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(unpinned);
    const total = servers.reduce((n, s) => n + calls(s, 'whoami'), 0);
    expect(total).toBe(2);
    expect(cache.metrics()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('caches catalog lists, resource reads and prompt gets', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client);
    const pinnedTools = await client.listTools({ server: 's1' });
    expect(await client.listTools({ server: 's1' })).toEqual(pinnedTools);
    await client.listTools();
    await client.listTools();
    await client.readResource({ uri: 'mcpool-test://s1/info' });
    const read = await client.readResource({ uri: 'mcpool-test://s1/info' });
    expect(docText(read)).toBe(JSON.stringify({ id: 's1' }));
    await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    expect(JSON.stringify(prompt.messages)).toContain('Hello, Ada from s1');
    expect(cache.metrics()).toMatchObject({ hits: 4, misses: 4 });
    expect(servers[0]?.state.callCount).toBe(0);
  });

  it('keys a fan-out list apart from the plain one: each is cached, neither answers for the other', async () => {
    const { client } = await rig(cleanup, 2);
    const cache = cached(client);
    const plain = await client.listTools();
    const everyServer = await client.listTools({ aggregation: all() });
    expect(cache.metrics()).toMatchObject({ hits: 0, misses: 2 });
    expect(await client.listTools()).toEqual(plain);
    expect(await client.listTools({ aggregation: all() })).toEqual(everyServer);
    expect(cache.metrics()).toMatchObject({ hits: 2, misses: 2 });
  });

  it('never caches a tool that is not read-only (counter runs every time)', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++)
      answers.push(text(await client.callTool({ name: 'counter', arguments: {} })));
    expect(answers).toEqual(['1', '2', '3']);
    expect(calls(servers[0], 'counter')).toBe(3);
    expect(cache.metrics()).toMatchObject({ hits: 0, misses: 0, stored: 0 });
  });

  it('lets configuration win over annotations: noCacheTools and readOnlyTools', async () => {
    const { servers, client } = await rig(cleanup, 1);
    cached(client, { noCacheTools: ['echo'], readOnlyTools: ['counter', 'echo'] });
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(calls(servers[0], 'echo')).toBe(2);
    const first = text(await client.callTool({ name: 'counter', arguments: {} }));
    const second = text(await client.callTool({ name: 'counter', arguments: {} }));
    expect([first, second]).toEqual(['1', '1']);
    expect(calls(servers[0], 'counter')).toBe(1);
  });

  it('ignores readOnlyHint when annotations are not trusted', async () => {
    const { servers, client } = await rig(cleanup, 1);
    cached(client, { trustAnnotations: false });
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(calls(servers[0], 'echo')).toBe(2);
  });

  it('never caches an isError result', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client, { readOnlyTools: ['fail'] });
    const first = await client.callTool({ name: 'fail', arguments: {} });
    const second = await client.callTool({ name: 'fail', arguments: {} });
    expect(first.isError).toBe(true);
    expect(second.isError).toBe(true);
    expect(calls(servers[0], 'fail')).toBe(2);
    expect(cache.metrics()).toMatchObject({ stored: 0, notStored: 2, misses: 2 });
  });

  it('never caches an error: the next call goes upstream and its answer is cached', async () => {
    const { servers, client } = await rig(cleanup, 1, { client: { maxRetries: 0 } });
    const cache = cached(client);
    const s1 = servers[0];
    if (!s1) throw new Error('no server');
    s1.state.mode = 'error';
    await expect(client.callTool({ name: 'echo', arguments: { message: 'e' } })).rejects.toThrow();
    s1.state.mode = 'ok';
    const ok = await client.callTool({ name: 'echo', arguments: { message: 'e' } });
    expect(text(ok)).toBe('e');
    await client.callTool({ name: 'echo', arguments: { message: 'e' } });
    expect(calls(s1, 'echo')).toBe(2);
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 2, stored: 1 });
  });
});

describe('withCache: expiry and bounds', () => {
  it('expires entries after their TTL (real time)', async () => {
    const { servers, client } = await rig(cleanup, 1);
    cached(client, { ttl: { tool: 150 } });
    await client.callTool({ name: 'echo', arguments: { message: 't' } });
    await client.callTool({ name: 'echo', arguments: { message: 't' } });
    expect(calls(servers[0], 'echo')).toBe(1);
    await delay(200);
    await client.callTool({ name: 'echo', arguments: { message: 't' } });
    expect(calls(servers[0], 'echo')).toBe(2);
  });

  it('uses a TTL per kind and an injectable clock', async () => {
    const { servers, client } = await rig(cleanup, 1);
    let now = 1_000_000;
    cached(client, { now: () => now, ttl: { tool: 1_000, resource: 5_000 } });
    await client.callTool({ name: 'echo', arguments: { message: 'c' } });
    now += 999;
    await client.callTool({ name: 'echo', arguments: { message: 'c' } });
    expect(calls(servers[0], 'echo')).toBe(1);
    now += 1;
    await client.callTool({ name: 'echo', arguments: { message: 'c' } });
    expect(calls(servers[0], 'echo')).toBe(2);
  });

  it('turns a kind off with TTL 0', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client, { ttl: { tool: 0 } });
    await client.callTool({ name: 'echo', arguments: { message: 'z' } });
    await client.callTool({ name: 'echo', arguments: { message: 'z' } });
    expect(calls(servers[0], 'echo')).toBe(2);
    expect(cache.metrics().misses).toBe(0);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client, { maxEntries: 2 });
    for (const m of ['m1', 'm2', 'm3'])
      await client.callTool({ name: 'echo', arguments: { message: m } });
    expect(cache.metrics()).toMatchObject({ entries: 2, evictions: 1 });
    await client.callTool({ name: 'echo', arguments: { message: 'm3' } });
    expect(calls(servers[0], 'echo')).toBe(3);
    await client.callTool({ name: 'echo', arguments: { message: 'm1' } });
    expect(calls(servers[0], 'echo')).toBe(4);
  });

  it('evicts by bytes beyond maxBytes, and never stores an answer larger than maxEntryBytes', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client, { maxBytes: 1_500, maxEntryBytes: 1_400 });
    const big = (c: string) => c.repeat(600);
    await client.callTool({ name: 'echo', arguments: { message: big('a') } });
    const one = cache.metrics();
    expect(one.entries).toBe(1);
    expect(one.bytes).toBeGreaterThan(600);
    await client.callTool({ name: 'echo', arguments: { message: big('b') } });
    const two = cache.metrics();
    expect(two.entries).toBe(1);
    expect(two.evictions).toBe(1);
    expect(two.bytes).toBeLessThanOrEqual(1_500);
    await client.callTool({ name: 'echo', arguments: { message: big('a') } });
    expect(calls(servers[0], 'echo')).toBe(3);
    await client.callTool({ name: 'echo', arguments: { message: 'x'.repeat(1_500) } });
    await client.callTool({ name: 'echo', arguments: { message: 'x'.repeat(1_500) } });
    expect(calls(servers[0], 'echo')).toBe(5);
    expect(cache.metrics().notStored).toBe(2);
  });
});

describe('withCache: single flight and stale-while-revalidate', () => {
  it('shares one upstream call among 10 concurrent identical calls', async () => {
    const { servers, client } = await rig(cleanup, 1, { latencyMs: 40 });
    const cache = cached(client);
    const before = servers[0]?.state.callCount ?? 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.callTool({ name: 'echo', arguments: { message: 'sf' } }),
      ),
    );
    expect(servers[0]?.state.callCount).toBe(before + 1);
    expect(results.map(text)).toEqual(Array(10).fill('sf'));
    expect(new Set(results).size).toBe(10);
    expect(cache.metrics()).toMatchObject({ misses: 1, coalesced: 9 });
  });

  it('does not fail the callers who share a call when the caller who started it aborts', async () => {
    const { servers, client } = await rig(cleanup, 1, { latencyMs: 80 });
    cached(client);
    const controller = new AbortController();
    const first = client.callTool(
      { name: 'echo', arguments: { message: 'ab' } },
      { signal: controller.signal },
    );
    const second = client.callTool({ name: 'echo', arguments: { message: 'ab' } });
    setTimeout(() => controller.abort(new Error('user left')), 20);
    await expect(first).rejects.toBeInstanceOf(AbortedError);
    expect(text(await second)).toBe('ab');
    expect(calls(servers[0], 'echo')).toBe(2);
  });

  it('lets a caller who shares a call abort alone', async () => {
    const { servers, client } = await rig(cleanup, 1, { latencyMs: 80 });
    cached(client);
    const controller = new AbortController();
    const first = client.callTool({ name: 'echo', arguments: { message: 'ab2' } });
    const second = client.callTool(
      { name: 'echo', arguments: { message: 'ab2' } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    await expect(second).rejects.toBeInstanceOf(AbortedError);
    expect(text(await first)).toBe('ab2');
    expect(calls(servers[0], 'echo')).toBe(1);
  });

  it('serves a stale entry at once and refreshes it in the background', async () => {
    const { servers, client } = await rig(cleanup, 1);
    let now = 5_000_000;
    const cache = cached(client, {
      now: () => now,
      readOnlyTools: ['counter'],
      ttl: { tool: 1_000 },
      staleWhileRevalidate: 10_000,
    });
    expect(text(await client.callTool({ name: 'counter', arguments: {} }))).toBe('1');
    now += 2_000;
    expect(text(await client.callTool({ name: 'counter', arguments: {} }))).toBe('1');
    await cache.settled();
    expect(calls(servers[0], 'counter')).toBe(2);
    expect(text(await client.callTool({ name: 'counter', arguments: {} }))).toBe('2');
    expect(cache.metrics()).toMatchObject({ staleHits: 1, refreshes: 1, hits: 1, misses: 1 });
    now += 20_000;
    expect(text(await client.callTool({ name: 'counter', arguments: {} }))).toBe('3');
  });
});

describe('withCache: invalidation', () => {
  it('drops the tool lists when a server sends tools/list_changed', async () => {
    const { servers, client, pool } = await rig(cleanup, 1);
    const cache = cached(client);
    const s1 = servers[0];
    if (!s1) throw new Error('no server');
    const merged = await client.listTools();
    const pinned = await client.listTools({ server: 's1' });
    await client.listTools();
    await client.listTools({ server: 's1' });
    expect(cache.metrics().hits).toBe(2);
    expect(merged.map((t) => t.name)).not.toContain('late');
    const notified = new Promise((resolve) => pool.once('server:notification', resolve));
    s1.state.addTool('late');
    await notified;
    expect((await client.listTools()).map((t) => t.name)).toContain('late');
    const pinnedAfter = await client.listTools({ server: 's1' });
    expect(pinnedAfter.map((t) => t.name)).toContain('late');
    expect(pinnedAfter.length).toBe(pinned.length + 1);
    expect(cache.metrics().invalidated).toBeGreaterThanOrEqual(2);
  });

  it('drops a resource when its server sends resources/updated to every session', async () => {
    const docs = documentServer('docs');
    cleanup.add(() => docs.close().then(() => {}));
    const pool = new ServerPool();
    pool.addServer({ id: docs.id, transport: docs.transport });
    cleanup.add(() => pool.close());
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    const cache = cached(client);
    expect(docText(await client.readResource({ uri: 'docs://doc' }))).toBe('v1');
    expect(docText(await client.readResource({ uri: 'docs://doc' }))).toBe('v1');
    expect(docs.reads()).toBe(1);
    docs.set('v2');
    const notified = new Promise((resolve) => pool.once('server:notification', resolve));
    await docs.announceUpdate();
    await notified;
    expect(docText(await client.readResource({ uri: 'docs://doc' }))).toBe('v2');
    expect(docs.reads()).toBe(2);
    expect(cache.metrics().invalidated).toBe(1);
  });

  it('drops a resource the client subscribed to once its server says it changed', async () => {
    const servers = [startInProcessServer({ id: 's1', subscriptions: true })];
    cleanup.add(() => servers[0]?.close());
    const { client } = await rig(cleanup, 1, { servers });
    const cache = cached(client);
    const uri = 'mcpool-test://s1/info';
    const updated: string[] = [];
    const sub = await client.subscribeResource({ uri }, (e) => updated.push(e.uri));
    await client.readResource({ uri });
    await client.readResource({ uri });
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 1 });
    expect(servers[0]?.state.touch(uri)).toBe(1);
    await waitFor(() => updated.length === 1);
    await client.readResource({ uri });
    expect(cache.metrics()).toMatchObject({ hits: 1, misses: 2, invalidated: 1 });
    await sub.unsubscribe();
  });

  it('does not store an answer whose resource changed while it was in flight', async () => {
    const docs = documentServer('docs');
    cleanup.add(() => docs.close().then(() => {}));
    const pool = new ServerPool();
    pool.addServer({ id: docs.id, transport: docs.transport });
    cleanup.add(() => pool.close());
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    const cache = cached(client);
    docs.slowReads(300);
    const inFlight = client.readResource({ uri: 'docs://doc' });
    await waitFor(() => docs.reads() === 1, { intervalMs: 5 });
    docs.set('v2');
    const notified = new Promise((resolve) => pool.once('server:notification', resolve));
    await docs.announceUpdate();
    await notified;
    expect(docText(await inFlight)).toBe('v1');
    docs.slowReads(0);
    expect(docText(await client.readResource({ uri: 'docs://doc' }))).toBe('v2');
    expect(cache.metrics()).toMatchObject({ notStored: 1, stored: 1 });
  });

  it('drops what came from a server that leaves the pool, and keeps what came from the others', async () => {
    const { servers, client, pool } = await rig(cleanup, 2);
    const cache = cached(client);
    const first = text(await client.callTool({ name: 'whoami', arguments: {} }));
    const other = first === 's1' ? 's2' : 's1';
    await client.callTool({ name: 'whoami', arguments: {} }, { server: first });
    await client.callTool({ name: 'whoami', arguments: {} }, { server: other });
    const count = () => servers.reduce((n, s) => n + calls(s, 'whoami'), 0);
    expect(count()).toBe(3);
    await pool.removeServer(other);
    // The unpinned answer came from `first` alone, so it stays.
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe(first);
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }, { server: first }))).toBe(
      first,
    );
    expect(count()).toBe(3);
    expect(cache.metrics().invalidated).toBeGreaterThanOrEqual(1);
  });

  it('drops the unpinned answer of a removed server, so the next call goes to a server that is there', async () => {
    const { servers, client, pool } = await rig(cleanup, 2);
    cached(client);
    const first = text(await client.callTool({ name: 'whoami', arguments: {} }));
    await pool.removeServer(first);
    const after = text(await client.callTool({ name: 'whoami', arguments: {} }));
    expect(after).not.toBe(first);
    expect(servers.reduce((n, s) => n + calls(s, 'whoami'), 0)).toBe(2);
  });

  it('clear() drops every entry', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const cache = cached(client);
    await client.callTool({ name: 'echo', arguments: { message: 'c' } });
    await cache.clear();
    expect(cache.metrics().entries).toBe(0);
    await client.callTool({ name: 'echo', arguments: { message: 'c' } });
    expect(calls(servers[0], 'echo')).toBe(2);
  });
});

describe('withCache: lifecycle and failures', () => {
  it('close() removes the middleware, the listeners and the plugin', async () => {
    const { servers, client, pool } = await rig(cleanup, 1);
    const listeners = () =>
      pool.listenerCount('server:notification') +
      pool.listenerCount('catalog:changed') +
      pool.listenerCount('server:removed');
    const before = listeners();
    const cache = withCache(client);
    expect(listeners()).toBeGreaterThan(before);
    await client.callTool({ name: 'echo', arguments: { message: 'l' } });
    await cache.close();
    expect(listeners()).toBe(before);
    await client.callTool({ name: 'echo', arguments: { message: 'l' } });
    expect(calls(servers[0], 'echo')).toBe(2);
    await cache.close();
  });

  it('goes on without caching when the store fails or hangs, and reports it', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const failing: CacheStore = {
      name: 'broken',
      get: () => Promise.reject(new Error('store down')),
      set: () => new Promise<void>(() => {}),
      delete: () => {
        throw new Error('store down');
      },
      clear: () => Promise.reject(new Error('store down')),
    };
    const seen: string[] = [];
    const cache = cached(client, {
      store: failing,
      storeTimeout: 20,
      onError: (_error, operation) => seen.push(operation),
    });
    for (let i = 0; i < 2; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: 'f' } });
      expect(text(r)).toBe('f');
      // Until the (hanging) write gives up, identical calls share the answer just fetched.
      await cache.settled();
    }
    await cache.settled();
    await cache.clear();
    expect(calls(servers[0], 'echo')).toBe(2);
    expect(seen).toEqual(expect.arrayContaining(['get', 'set', 'clear']));
    expect(cache.metrics().errors).toBeGreaterThanOrEqual(5);
  });

  it('rejects bad options with every problem and its path', () => {
    const pool = new ServerPool();
    cleanup.add(() => pool.close());
    const error = (() => {
      try {
        withCache(new MultiServerClient(pool), {
          ttl: { tool: -1 },
          maxEntries: 0,
          store: memoryStore(),
          readOnlyTools: 'add' as never,
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidConfigError);
    const paths = (error as InvalidConfigError).issues.map((i) => i.path).sort();
    expect(paths).toEqual(['maxEntries', 'maxEntries', 'readOnlyTools', 'ttl.tool']);
  });

  it('works with several servers through the balancer and a shared store instance', async () => {
    const list = [startInProcessServer({ id: 'r1' }), startInProcessServer({ id: 'r2' })];
    cleanup.add(() => Promise.all(list.map((s) => s.close())).then(() => {}));
    const store = memoryStore({ maxEntries: 100 });
    const a = await rig(cleanup, 0, { servers: list });
    const b = await rig(cleanup, 0, { servers: list });
    cached(a.client, { store });
    cached(b.client, { store });
    await a.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const fromB = await b.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    expect(text(fromB)).toBe('2');
    expect(list.reduce((n, s) => n + calls(s, 'add'), 0)).toBe(1);
  });
});
