import { firstSuccessful, MultiServerClient } from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { first } from './first.js';
import { closeAll, lowestId, poolOf, testServers, text } from './test-servers.js';

afterEach(closeAll);

describe('first()', () => {
  it('is core’s first-successful strategy', () => {
    const strategy = first();
    expect(strategy.name).toBe(firstSuccessful().name);
    expect(strategy.fanOut).toBe(false);
  });

  it('asks one server, and another only when it fails', async () => {
    const list = testServers([{ mode: 'error' }, {}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, {
      aggregation: first(),
      balancer: lowestId,
      backoff: { baseMs: 1, maxMs: 2 },
    });
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('s2');
    expect(list.map((s) => s.state.callCount)).toEqual([1, 1, 0]);
    expect(client.getMetrics().strategyUsage).toEqual({ first: 1 });
  });

  it('serves a tool that is not safe to repeat, which fan-out strategies refuse', async () => {
    const list = testServers([{}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: first() });
    expect(text(await client.callTool({ name: 'counter', arguments: {} }))).toBe('1');
    expect(list.reduce((n, s) => n + s.state.callCount, 0)).toBe(1);
  });
});
