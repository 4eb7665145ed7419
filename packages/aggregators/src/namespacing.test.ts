import { AmbiguousNameError, MultiServerClient } from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { all } from './all.js';
import { closeAll, mcpServer, poolOf, testServers, text } from './test-servers.js';

afterEach(closeAll);

describe('all() and namespacing', () => {
  it('prefixes a name two servers define differently, and routes each prefixed name to its owner', async () => {
    const [s1] = testServers([{ toolNames: ['add', 'echo'] }]);
    if (!s1) throw new Error('server missing');
    const s2Calls: string[] = [];
    // Same name, different definition: concatenates strings instead of adding numbers.
    const s2 = mcpServer('s2', (server) => {
      server.registerTool(
        'add',
        {
          description: 'Joins a and b.',
          inputSchema: { a: z.string(), b: z.string() },
          annotations: { readOnlyHint: true },
        },
        ({ a, b }) => {
          s2Calls.push(`${a}+${b}`);
          return { content: [{ type: 'text', text: a + b }] };
        },
      );
    });
    const pool = await poolOf([s1, s2]);
    const client = new MultiServerClient(pool);

    const names = (await client.listTools({ aggregation: all() })).map((t) => t.name).sort();
    expect(names).toEqual(['echo', 's1__add', 's2__add']);
    // The fan-out catalog names tools as the pool's own catalog does.
    expect((await client.listTools()).map((t) => t.name).sort()).toEqual(names);

    const joined = await client.callTool({ name: 's2__add', arguments: { a: 'x', b: 'y' } });
    expect(text(joined)).toBe('xy');
    expect(s2Calls).toEqual(['x+y']);
    expect(s1.state.calls.add).toBeUndefined();

    const summed = await client.callTool({ name: 's1__add', arguments: { a: 1, b: 2 } });
    expect(text(summed)).toBe('3');
    expect(s1.state.calls.add).toBe(1);

    const error = await client
      .callTool({ name: 'add', arguments: { a: 1, b: 2 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousNameError);
    expect([...(error as AmbiguousNameError).candidates].sort()).toEqual(['s1__add', 's2__add']);
    expect(s2Calls).toHaveLength(1);
  });
});
