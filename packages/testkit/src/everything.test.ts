import { describe, expect, it } from 'vitest';
import { everythingStdioConfig, startEverythingHttp } from './everything.js';
import { connectClient, firstText } from './sdk-client.js';
import { useCleanups } from './test-rig.js';

describe('server-everything', () => {
  const cleanups = useCleanups();

  it('runs over stdio: lists echo and get-sum and answers echo', async () => {
    // Without roots: everything asks a roots-capable client for its roots 350 ms after
    // initialising, and that pending request stops it exiting on end of input, so close()
    // would wait 2 s for the SDK's SIGTERM fallback.
    const { client } = await connectClient(everythingStdioConfig(), {});
    cleanups.push(() => client.close());
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toBe(
      'Echo: hi',
    );
    expect(firstText(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }))).toBe(
      'The sum of 2 and 3 is 5.',
    );
  });

  it('runs over Streamable HTTP on a free port and stops on close()', async () => {
    const server = await startEverythingHttp();
    cleanups.push(() => server.close());
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
    const { client } = await connectClient(server.transport);
    cleanups.push(() => client.close());
    expect(firstText(await client.callTool({ name: 'echo', arguments: { message: 'yo' } }))).toBe(
      'Echo: yo',
    );
    await client.close();
    await server.close();
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow(/fetch failed/);
  });
});
