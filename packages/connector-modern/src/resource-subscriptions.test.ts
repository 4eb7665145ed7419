import { useCleanup } from '@mcpool/core/testing';
import { startV2HttpServer, waitFor } from '@mcpool/testkit';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { modernPool } from './test-pool.js';

const cleanup = useCleanup();
const INFO = (id: string) => `mcpool-test://${id}/info`;

describe('resource subscriptions on a modern server', () => {
  it('a pool subscriber hears notifications/resources/updated through a listen filter with the URI', async () => {
    const server = cleanup(
      await startV2HttpServer({ id: 'm', legacy: 'reject', subscriptions: true }),
    );
    const { pool, client } = await modernPool(cleanup, [
      { id: 'm', transport: server.transport, protocol: '2026-07-28' },
    ]);
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe('modern');
    const heard: string[] = [];
    const subscription = await client.subscribeResource({ uri: INFO('m') }, (e) =>
      heard.push(`${e.serverId} ${e.uri}`),
    );
    server.state.touch(INFO('m'));
    await waitFor(() => heard.length === 1, { message: 'the first update' });
    expect(heard).toEqual([`m ${INFO('m')}`]);
    // Another URI's update is not in this stream's filter.
    server.state.touch(INFO('other'));
    server.state.touch(INFO('m'));
    await waitFor(() => heard.length === 2, { message: 'the second update' });
    expect(heard).toEqual([`m ${INFO('m')}`, `m ${INFO('m')}`]);

    // After unsubscribe the stream is closed: an update reaches nobody.
    await subscription.unsubscribe();
    server.state.touch(INFO('m'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(heard).toHaveLength(2);
  });

  it('fails the subscribe of a modern server without resources.subscribe with an error saying so', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'n', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [
      { id: 'n', transport: server.transport, protocol: '2026-07-28' },
    ]);
    const failure = await client
      .subscribeResource({ uri: INFO('n') }, () => {})
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(McpError);
    expect((failure as McpError).code).toBe(ErrorCode.MethodNotFound);
    expect((failure as Error).message).toMatch(/resources\.subscribe/);
  });
});
