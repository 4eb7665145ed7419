import {
  type InProcessTestServer,
  startInProcessServer,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import {
  AllServersFailedError,
  DuplicateServerError,
  InvalidConfigError,
  McpoolError,
  NoServerAvailableError,
  PoolClosedError,
  RequestMayHaveRunError,
  UnknownCapabilityError,
} from '../spec/errors.js';
import type { ServerConfig } from '../spec/server.js';
import { startPool, useCleanup } from '../testing/index.js';
import { ServerPool } from './server-pool.js';

const cleanup = useCleanup();

function servers(n: number, options: { latencyMs?: number } = {}): InProcessTestServer[] {
  const list = Array.from({ length: n }, (_, i) =>
    startInProcessServer({ id: `s${i + 1}`, ...options }),
  );
  cleanup(async () => {
    await Promise.all(list.map((s) => s.close()));
  });
  return list;
}

function poolOf(list: InProcessTestServer[]): Promise<ServerPool> {
  return startPool(list, { cleanup, strict: false });
}

describe('ServerPool with in-process servers', () => {
  it('connects every server, merges replica catalogs once and calls a tool', async () => {
    const pool = await poolOf(servers(3));
    const metrics = pool.getMetrics();
    expect(metrics.totalServers).toBe(3);
    expect(metrics.healthyServers).toBe(3);
    const client = new MultiServerClient(pool);
    const tools = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toContain('add');
    expect(names.filter((n) => n === 'add')).toHaveLength(1);
    const result = await client.callTool({ name: 'add', arguments: { a: 5, b: 3 } });
    expect(text(result)).toBe('8');
  });

  it('spreads 100 concurrent calls over 3 servers evenly with round robin (33/33/34)', async () => {
    const list = servers(3);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        client.callTool({ name: 'add', arguments: { a: i, b: 1 } }),
      ),
    );
    const counts = list.map((s) => s.state.callCount).sort();
    expect(counts).toEqual([33, 33, 34]);
    const perServer = pool
      .getMetrics()
      .serverMetrics.map((m) => m.requestCount)
      .sort();
    expect(perServer.reduce((a, b) => a + b, 0)).toBe(100);
    expect(client.getMetrics()).toMatchObject({
      totalRequests: 100,
      successfulRequests: 100,
      failedRequests: 0,
    });
  });

  it('fails over a safe call when a server closes, and stops routing to it', async () => {
    const list = servers(3);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    const down = new Promise((resolve) => pool.once('server:unhealthy', resolve));
    await list[0]?.close();
    await down;
    expect(pool.isHealthy('s1')).toBe(false);
    const before = list[0]?.state.callCount ?? 0;
    for (let i = 0; i < 12; i++) {
      const r = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
      expect(text(r)).toBe('2');
    }
    expect(list[0]?.state.callCount).toBe(before);
    expect(pool.getMetrics().healthyServers).toBe(2);
  });

  it('retries a safe call on another server when the first one errors', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { maxRetries: 2, backoff: { baseMs: 1, maxMs: 2 } });
    const s1 = list[0];
    if (!s1) throw new Error('no server');
    s1.state.mode = 'error';
    const retries: string[] = [];
    pool.on('request:retry', (e) => retries.push(`${e.from}->${e.to}`));
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
      expect(text(r)).toBe('hi');
    }
    expect(retries).toContain('s1->s2');
    expect(client.getMetrics().retries).toBeGreaterThan(0);
  });

  it('never repeats a tool that is not marked safe, and says it may have run', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { maxRetries: 3 });
    for (const s of list) s.state.mode = 'error';
    const error = await client
      .callTool({ name: 'counter', arguments: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestMayHaveRunError);
    expect((error as RequestMayHaveRunError).message).toMatch(/may have run/);
    const total = list.reduce((n, s) => n + s.state.callCount, 0);
    expect(total).toBe(1);
  });

  it('retries an unsafe tool when the operator marks it safe', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { safeTools: ['counter'], backoff: { baseMs: 1 } });
    const s1 = list[0];
    if (!s1) throw new Error('no server');
    s1.state.mode = 'error';
    for (let i = 0; i < 2; i++) await client.callTool({ name: 'counter', arguments: {} });
    expect(list[1]?.state.callCount).toBe(2);
  });

  it('treats isError results as answers, not server failures', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    const result = await client.callTool({ name: 'fail', arguments: {} });
    expect(result.isError).toBe(true);
    expect(pool.getMetrics().failedRequests).toBe(0);
    expect(client.getMetrics().retries).toBe(0);
  });

  it('does not retry the caller’s invalid params', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    const attempts: string[] = [];
    pool.on('attempt', (r) => attempts.push(r.outcome));
    const result = await client
      .callTool({ name: 'add', arguments: { a: 'x' } })
      .catch((e: unknown) => e as Error);
    // The SDK server answers bad arguments with an isError result or an InvalidParams error; neither is retried.
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).not.toBe('server-error');
    expect(result).toBeDefined();
  });

  it('names what is offered when no server has the tool', async () => {
    const pool = await poolOf(servers(2));
    const client = new MultiServerClient(pool);
    const error = await client.callTool({ name: 'nope', arguments: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownCapabilityError);
    expect((error as Error).message).toMatch(/"nope".*Offered: .*add/);
  });

  it('uses the fallback order when the balanced servers fail', async () => {
    const list = servers(3);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, {
      maxRetries: 0,
      fallback: { enabled: true, order: ['s3', 's2', 's1'] },
      backoff: { baseMs: 1 },
    });
    for (const s of list.slice(0, 2)) s.state.mode = 'error';
    const fallbacks: string[] = [];
    pool.on('request:fallback', (e) => fallbacks.push(e.to));
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      expect(text(r)).toBe('s3');
    }
    expect(client.getMetrics().fallbackUsed).toBeGreaterThan(0);
    expect(fallbacks.every((f) => f === 's3')).toBe(true);
  });

  it('reports each server’s cause when every server fails', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1 } });
    for (const s of list) s.state.mode = 'error';
    const error = await client
      .callTool({ name: 'echo', arguments: { message: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllServersFailedError);
    expect((error as AllServersFailedError).failures.map((f) => f.serverId).sort()).toEqual([
      's1',
      's2',
    ]);
  });

  it('times out a hanging call with a clear error and cancels it', async () => {
    const list = servers(1);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    const s1 = list[0];
    if (!s1) throw new Error('no server');
    s1.state.mode = 'hang';
    const error = await client
      .callTool({ name: 'echo', arguments: { message: 'x' } }, { timeout: 200 })
      .catch((e: unknown) => e);
    expect(McpoolError.isInstance(error) && error.code).toBe('TIMEOUT');
    expect(pool.getMetrics().inFlight).toBe(0);
  });

  it('aborts a call through the caller’s signal', async () => {
    const pool = await poolOf(servers(1));
    const client = new MultiServerClient(pool);
    const controller = new AbortController();
    const pending = client.callTool(
      { name: 'sleep', arguments: { ms: 5_000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 50);
    const error = await pending.catch((e: unknown) => e);
    expect(McpoolError.isInstance(error) && error.code).toBe('ABORTED');
  });

  it('delivers progress notifications to the caller', async () => {
    const pool = await poolOf(servers(1));
    const client = new MultiServerClient(pool);
    const seen: number[] = [];
    await client.callTool(
      { name: 'progress', arguments: { steps: 3 } },
      { onprogress: (p) => seen.push(p.progress) },
    );
    expect(seen).toEqual([1, 2, 3]);
  });

  it('pins a call to one server', async () => {
    const pool = await poolOf(servers(3));
    const client = new MultiServerClient(pool);
    for (let i = 0; i < 3; i++) {
      const r = await client.callTool({ name: 'whoami', arguments: {} }, { server: 's2' });
      expect(text(r)).toBe('s2');
    }
  });

  it('refreshes the catalog on tools/list_changed', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    const changed = new Promise((resolve) => pool.once('catalog:changed', resolve));
    list[1]?.state.addTool('fresh');
    await changed;
    const tools = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('fresh');
    const r = await client.callTool({ name: 'fresh', arguments: {} });
    expect(text(r)).toBe('fresh');
    expect(list[1]?.state.calls.fresh).toBe(1);
  });

  it('reconciles with sync(): adds, removes and updates', async () => {
    const list = servers(3);
    const pool = await poolOf(list.slice(0, 2));
    const [a, , c] = list;
    if (!a || !c) throw new Error('no server');
    const result = await pool.sync([
      { id: a.id, transport: a.transport, weight: 5 },
      { id: c.id, transport: c.transport },
    ]);
    expect(result).toEqual({ added: ['s3'], removed: ['s2'], updated: ['s1'] });
    await pool.ready();
    expect(pool.servers().map((s) => s.id)).toEqual(['s1', 's3']);
    expect(pool.server('s1')?.weight).toBe(5);
    expect(pool.isHealthy('s3')).toBe(true);
  });

  it('keeps serving when a server cannot connect, and rejects in strict mode', async () => {
    const [good] = servers(1);
    if (!good) throw new Error('no server');
    const broken: ServerConfig = {
      id: 'broken',
      transport: { type: 'custom', create: () => Promise.reject(new Error('refused')) },
    };
    const pool = new ServerPool({ reconnect: { baseMs: 50, maxMs: 100 } });
    cleanup(() => pool.close());
    pool.addServer({ id: good.id, transport: good.transport });
    pool.addServer(broken);
    await pool.start();
    expect(pool.getMetrics().healthyServers).toBe(1);
    expect(pool.exclusions('broken').connection).toMatch(/refused/);

    const strict = new ServerPool({ strictStart: true });
    cleanup(() => strict.close());
    strict.addServer(broken);
    await expect(strict.start()).rejects.toThrow(/broken.*refused/);
  });

  it('reconnects a server that comes back', async () => {
    let fail = true;
    const [real] = servers(1);
    if (!real) throw new Error('no server');
    const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 40 } });
    cleanup(() => pool.close());
    pool.addServer({
      id: 'flaky',
      transport: {
        type: 'custom',
        create: () =>
          fail ? Promise.reject(new Error('not yet')) : (real.transport.create() as never),
      },
    });
    await pool.start();
    expect(pool.isHealthy('flaky')).toBe(false);
    fail = false;
    await waitFor(() => pool.isHealthy('flaky'), { timeoutMs: 5_000 });
  });

  it('rejects bad configuration with every problem and its path', () => {
    expect(() => new ServerPool({ maxConnectionsPerServer: 0, connectionTimeout: -1 })).toThrow(
      InvalidConfigError,
    );
    try {
      new ServerPool({ maxConnectionsPerServer: 0, connectionTimeout: -1 });
    } catch (error) {
      const paths = (error as InvalidConfigError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['maxConnectionsPerServer', 'connectionTimeout']),
      );
    }
    const pool = new ServerPool();
    cleanup(() => pool.close());
    expect(() =>
      pool.addServer({ id: 'bad id', transport: { type: 'streamable-http', url: 'ftp://x' } }),
    ).toThrow(/server\.id.*letters[\s\S]*server\.transport\.url/);
    expect(() =>
      pool.addServer({ id: 'a__b', transport: { type: 'stdio', command: 'node' } }),
    ).toThrow(/separator/);
    pool.addServer({ id: 'ok', transport: { type: 'stdio', command: 'node' } });
    expect(() =>
      pool.addServer({ id: 'ok', transport: { type: 'stdio', command: 'node' } }),
    ).toThrow(DuplicateServerError);
  });

  it('refuses calls after close and leaves no connection open', async () => {
    const list = servers(2);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool);
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    await pool.close();
    expect(list.map((s) => s.connections())).toEqual([0, 0]);
    await expect(
      client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }),
    ).rejects.toBeInstanceOf(PoolClosedError);
  });

  it('says no server is available when every server is excluded and none can connect', async () => {
    const pool = new ServerPool();
    cleanup(() => pool.close());
    expect(() => pool.getServer()).toThrow(NoServerAvailableError);
  });

  it('survives a listener that throws', async () => {
    const list = servers(1);
    const pool = new ServerPool();
    cleanup(() => pool.close());
    const errors: unknown[] = [];
    pool.on('server:connected', () => {
      throw new Error('listener bug');
    });
    pool.on('pool:error', (e) => errors.push(e.error));
    pool.addServer({ id: 's1', transport: list[0]?.transport as ServerConfig['transport'] });
    await pool.start();
    expect(pool.isHealthy('s1')).toBe(true);
    expect(String(errors[0])).toMatch(/listener bug/);
  });
});
