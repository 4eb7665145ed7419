import { startHttpServer, startInProcessServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { InvalidConfigError } from '../spec/errors.js';
import type { TransportConfig } from '../spec/server.js';
import { startPool, useCleanup } from '../testing/index.js';
import { ServerPool } from './server-pool.js';

const cleanup = useCleanup();

function poolOf(...servers: { id: string; transport: TransportConfig }[]): Promise<ServerPool> {
  return startPool(servers, { cleanup, reconnect: { baseMs: 500, maxMs: 30_000 } });
}

const INFO = (id: string) => `mcpool-test://${id}/info`;

describe('MultiServerClient.subscribeResource', () => {
  it('shares one upstream subscription between clients; updates reach each holder until it leaves', async () => {
    const a = startInProcessServer({ id: 'a', subscriptions: true });
    cleanup(() => a.close());
    const pool = await poolOf(a);
    const one = new MultiServerClient(pool);
    const two = new MultiServerClient(pool);
    const heard: string[] = [];
    const first = await one.subscribeResource({ uri: INFO('a') }, (e) =>
      heard.push(`one:${e.serverId}`),
    );
    const second = await two.subscribeResource({ uri: INFO('a') }, (e) =>
      heard.push(`two:${e.serverId}`),
    );
    expect(first.servers).toEqual(['a']);
    expect(second.servers).toEqual(['a']);
    expect(a.state.subscribes).toBe(1);

    a.state.touch(INFO('a'));
    await waitFor(() => heard.length === 2);
    expect(heard.sort()).toEqual(['one:a', 'two:a']);

    await first.unsubscribe();
    expect(a.state.unsubscribes).toBe(0);
    a.state.touch(INFO('a'));
    await waitFor(() => heard.length === 3);
    expect(heard[2]).toBe('two:a');

    // The last holder leaving (here by closing its client) ends it upstream.
    await two.close();
    expect(a.state.unsubscribes).toBe(1);
    expect(a.state.touch(INFO('a'))).toBe(0);
    await first.unsubscribe();
    expect(a.state.unsubscribes).toBe(1);
  });

  it('subscribes on the server that offers the resource, and only there', async () => {
    const a = startInProcessServer({ id: 'a', subscriptions: true });
    const b = startInProcessServer({ id: 'b', subscriptions: true });
    cleanup(
      () => a.close(),
      () => b.close(),
    );
    const pool = await poolOf(a, b);
    await pool.listResources();
    const client = new MultiServerClient(pool);
    const sub = await client.subscribeResource({ uri: INFO('b') }, () => {});
    expect(sub.servers).toEqual(['b']);
    expect([a.state.subscribes, b.state.subscribes]).toEqual([0, 1]);
    await sub.unsubscribe();
  });

  it('rejects with the server’s answer when no server takes subscriptions, and names an unknown server', async () => {
    const a = startInProcessServer({ id: 'a' });
    cleanup(() => a.close());
    const pool = await poolOf(a);
    const client = new MultiServerClient(pool);
    await expect(client.subscribeResource({ uri: INFO('a') }, () => {})).rejects.toThrow(
      /method not found/i,
    );
    await expect(
      client.subscribeResource({ uri: INFO('a') }, () => {}, { server: 'nope' }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_SERVER' });
    const wrong = client.subscribeResource({ uri: '' }, 'log' as never);
    await expect(wrong).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(wrong).rejects.toThrow(
      /uri: must be the resource URI[\s\S]*onUpdated: must be a function/,
    );
  });

  it('lives on the session idle closing keeps, whatever the traffic when it was made', async () => {
    const a = startInProcessServer({ id: 'a', subscriptions: true });
    cleanup(() => a.close());
    const pool = new ServerPool({ maxConnectionsPerServer: 2, idleTimeout: 500 });
    pool.addServer({ id: 'a', transport: a.transport });
    await pool.start({ strict: true });
    cleanup(() => pool.close());
    const client = new MultiServerClient(pool);
    // Keep the first session busy and let a second one open beside it.
    const busy = client.callTool({ name: 'sleep', arguments: { ms: 400 } });
    await client.ping();
    await waitFor(() => pool.getMetrics().serverMetrics[0]?.connections === 2);
    const heard: string[] = [];
    await client.subscribeResource({ uri: INFO('a') }, (e) => heard.push(e.uri));
    await busy;
    // The extra session closes once idle; the subscription must not go with it.
    await waitFor(() => pool.getMetrics().serverMetrics[0]?.connections === 1, {
      timeoutMs: 5_000,
    });
    expect(a.state.touch(INFO('a'))).toBe(1);
    await waitFor(() => heard.length === 1);
  });

  it('moves to the session that takes the kept one’s place when it closes', async () => {
    const a = startInProcessServer({ id: 'a', subscriptions: true });
    cleanup(() => a.close());
    const opened: { close(): Promise<void> }[] = [];
    const pool = new ServerPool({ maxConnectionsPerServer: 2 });
    pool.addServer({
      id: 'a',
      transport: {
        type: 'custom',
        create: async () => {
          const transport = await a.transport.create();
          opened.push(transport);
          return transport;
        },
      },
    });
    await pool.start({ strict: true });
    cleanup(() => pool.close());
    const client = new MultiServerClient(pool);
    const busy = client.callTool({ name: 'sleep', arguments: { ms: 200 } });
    await client.ping();
    await waitFor(() => pool.getMetrics().serverMetrics[0]?.connections === 2);
    await busy;
    const heard: string[] = [];
    await client.subscribeResource({ uri: INFO('a') }, (e) => heard.push(e.uri));
    expect(a.state.subscribes).toBe(1);
    // The kept (first) session dies; the other stays and becomes the kept one.
    await opened[0]?.close();
    await waitFor(() => a.state.subscribes === 2, { message: 'subscribed on the other session' });
    expect(pool.getMetrics().serverMetrics[0]?.connections).toBe(1);
    expect(a.state.touch(INFO('a'))).toBe(1);
    await waitFor(() => heard.length === 1);
  });

  it('follows a server that forgot the session (404) to its new one', async () => {
    const a = await startHttpServer({ id: 'a', subscriptions: true });
    cleanup(() => a.close());
    const pool = await poolOf(a);
    const client = new MultiServerClient(pool);
    const heard: string[] = [];
    await client.subscribeResource({ uri: INFO('a') }, (e) => heard.push(e.uri));
    await a.dropSessions();
    await client.ping();
    await waitFor(() => a.state.subscribes === 2, { message: 'subscribed on the new session' });
    expect(a.state.touch(INFO('a'))).toBe(1);
    await waitFor(() => heard.length === 1);
    await client.close();
    expect(a.state.unsubscribes).toBe(1);
  });

  it('refuses an empty URI and a listener that is not a function, naming both', async () => {
    const a = startInProcessServer({ id: 'a', subscriptions: true });
    cleanup(() => a.close());
    const client = new MultiServerClient(await poolOf(a));
    const error = await client
      .subscribeResource({ uri: '' }, 'not a function' as unknown as () => void)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues).toEqual([
      { path: 'uri', message: 'must be the resource URI, a non-empty string' },
      { path: 'onUpdated', message: 'must be a function: it hears each update' },
    ]);
    expect(a.state.subscribes).toBe(0);
  });
});
