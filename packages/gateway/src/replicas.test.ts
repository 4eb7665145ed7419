import { writeFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import {
  type HttpTestServerOptions,
  startHttpServer,
  startRoundRobinProxy,
  waitFor,
} from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { connectOver, type ServeProcess, spawnServe, text } from './test-helpers.js';

const SECRET = 'replica-secret-0123456789abcdefghijk';
const tmp = useTempDir('mcpool-replicas-');
const cleanup = useCleanup();

async function replicas(count: number, upUrl: string): Promise<ServeProcess[]> {
  const config = tmp.path('replicas.json');
  await writeFile(config, JSON.stringify({ mcpServers: { up: { url: upUrl } } }));
  const started = await Promise.all(
    Array.from({ length: count }, () => spawnServe(config, { MCPOOL_SESSION_SECRET: SECRET })),
  );
  for (const r of started) cleanup(r.kill);
  return started;
}

/**
 * An upstream server, 3 replicas sharing the session secret in front of it,
 * a round-robin proxy in front of them, and an SDK client through the proxy.
 */
async function roaming(options: HttpTestServerOptions, clientName: string) {
  const up = cleanup(await startHttpServer(options));
  const served = await replicas(3, up.url);
  const proxy = cleanup(
    await startRoundRobinProxy(
      served.map((s) => s.url),
      { retryFailedConnects: true },
    ),
  );
  const transport = new StreamableHTTPClientTransport(new URL(proxy.url));
  const host = await connectOver(transport, clientName);
  cleanup(() => host.close());
  return { up, served, proxy, transport, host };
}

describe('replicas with one session secret behind a round-robin proxy', () => {
  it('keep one session for a plain SDK client while each request lands on another replica', async () => {
    const { proxy, transport, host } = await roaming({ id: 'up' }, 'roaming');
    const session = transport.sessionId;
    expect(session).toBeDefined();

    const tools = (await host.client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('add');
    for (let i = 0; i < 6; i++) {
      const sum = await host.client.callTool({ name: 'add', arguments: { a: i, b: 10 } });
      expect(text(sum)).toBe(`${i + 10}`);
    }
    expect(text(await host.client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe(
      'hi',
    );
    expect(transport.sessionId).toBe(session);

    const posts = proxy.hops.filter((h) => h.method === 'POST');
    expect(posts.filter((h) => h.rpc === 'initialize')).toHaveLength(1);
    // Every call went to another replica than the one before it, and all three served.
    const calls = posts.filter((h) => h.rpc === 'tools/call' || h.rpc === 'tools/list');
    for (let i = 1; i < calls.length; i++) {
      expect(calls[i]?.replica).not.toBe(calls[i - 1]?.replica);
    }
    expect(new Set(calls.map((c) => c.replica)).size).toBe(3);
    expect(proxy.hops.every((h) => h.method === 'GET' || h.rpc !== undefined)).toBe(true);
  });

  it('a resource subscription keeps its updates while requests roam', async () => {
    const { up, proxy, host } = await roaming({ id: 'up', subscriptions: true }, 'watcher');
    const uri = 'mcpool-test://up/info';
    await host.client.subscribeResource({ uri });
    expect(up.state.subscribes).toBe(1);
    for (let i = 0; i < 3; i++) {
      expect(text(await host.client.callTool({ name: 'whoami', arguments: {} }))).toBe('up');
      expect(up.state.touch(uri)).toBe(1);
      await waitFor(() => host.updated.length === i + 1, { message: `update ${i + 1}` });
    }
    expect(host.updated).toEqual([uri, uri, uri]);
    // The subscription was taken by a replica that does not hold the client's GET stream.
    const stream = proxy.hops.find((h) => h.method === 'GET');
    const subscribe = proxy.hops.find((h) => h.rpc === 'resources/subscribe');
    expect(stream).toBeDefined();
    expect(subscribe?.replica).not.toBe(stream?.replica);
    const rpcs = proxy.hops.filter((h) => h.method === 'POST').map((h) => h.rpc);
    expect(rpcs.filter((r) => r === 'initialize')).toHaveLength(1);
  });

  it('a replica killed during 8 concurrent idempotent calls fails none and needs no new initialize', async () => {
    // Long enough that the kill surely lands while calls are in flight, even on a busy machine.
    const { up, served, proxy, transport, host } = await roaming(
      { id: 'up', latencyMs: 1_500 },
      'survivor',
    );
    const session = transport.sessionId;

    const before = up.state.callCount;
    const calls = Array.from({ length: 8 }, (_, i) =>
      host.client.callTool({ name: 'add', arguments: { a: i, b: 100 } }),
    );
    await waitFor(() => up.state.callCount >= before + 8, { message: 'all 8 calls upstream' });
    const victim = served[1] as ServeProcess;
    victim.child.kill('SIGKILL');
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'rejected')).toEqual([]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? text(s.value) : 'failed'))).toEqual(
      Array.from({ length: 8 }, (_, i) => `${i + 100}`),
    );
    expect(await victim.exited()).toBe('SIGKILL');
    // Some of the calls were on the victim: the proxy sent them again, and another replica took the session.
    expect(proxy.retried(), JSON.stringify(proxy.hops)).toBeGreaterThan(0);
    // Calls after the loss keep the same session.
    expect(text(await host.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
    expect(transport.sessionId).toBe(session);
    expect(proxy.hops.filter((h) => h.rpc === 'initialize')).toHaveLength(1);
  });
});
