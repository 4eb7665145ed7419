import { type Balancer, MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { leastConnections } from './least-connections.js';
import { p2cEwma } from './p2c-ewma.js';
import { priority } from './priority.js';
import { roundRobin } from './round-robin.js';
import { weighted } from './weighted.js';

const cleanup = useCleanup();

async function setup(
  balancer: Balancer,
  specs: { id: string; weight?: number; priority?: number; latencyMs?: number }[],
): Promise<{ client: MultiServerClient; servers: InProcessTestServer[]; pool: ServerPool }> {
  const servers = specs.map((s) => startInProcessServer({ id: s.id, latencyMs: s.latencyMs ?? 0 }));
  const pool = new ServerPool({ balancer });
  for (const [i, s] of servers.entries()) {
    const spec = specs[i];
    pool.addServer({
      id: s.id,
      transport: s.transport,
      weight: spec?.weight,
      priority: spec?.priority,
    });
  }
  cleanup(async () => {
    await pool.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  await pool.start({ strict: true });
  return { client: new MultiServerClient(pool), servers, pool };
}

const counts = (servers: InProcessTestServer[]) => servers.map((s) => s.state.callCount);

describe('balancers driving a real pool', () => {
  it('round robin: 100 concurrent calls over 3 servers split 33/33/34', async () => {
    const { client, servers } = await setup(roundRobin(), [{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    await Promise.all(
      Array.from({ length: 100 }, () => client.callTool({ name: 'whoami', arguments: {} })),
    );
    expect(counts(servers).sort()).toEqual([33, 33, 34]);
  });

  it('weighted {5,1,1}: exact shares over whole cycles', async () => {
    const { client, servers } = await setup(weighted(), [
      { id: 'a', weight: 5 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ]);
    for (let i = 0; i < 70; i++) await client.callTool({ name: 'whoami', arguments: {} });
    expect(counts(servers)).toEqual([50, 10, 10]);
  });

  it('priority: only the top tier serves while it is healthy, then the next tier', async () => {
    const { client, servers, pool } = await setup(priority(), [
      { id: 'primary', priority: 10 },
      { id: 'backup', priority: 1 },
    ]);
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'whoami', arguments: {} });
    expect(counts(servers)).toEqual([10, 0]);
    pool.exclude('primary', 'operator', 'maintenance');
    for (let i = 0; i < 5; i++) await client.callTool({ name: 'whoami', arguments: {} });
    expect(counts(servers)).toEqual([10, 5]);
  });

  it('least connections: a server busy with long calls gets no new ones', async () => {
    const { client, servers } = await setup(leastConnections(), [{ id: 'a' }, { id: 'b' }]);
    const long = Array.from({ length: 3 }, () =>
      client.callTool({ name: 'sleep', arguments: { ms: 300 } }, { server: 'a' }),
    );
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'whoami', arguments: {} });
    await Promise.all(long);
    expect(servers[0]?.state.calls.whoami ?? 0).toBe(0);
    expect(servers[1]?.state.calls.whoami).toBe(10);
  });

  it('p2cEwma: a slow replica gets a small share of traffic', async () => {
    const { client, servers } = await setup(p2cEwma(), [
      { id: 'fast1' },
      { id: 'fast2' },
      { id: 'slow', latencyMs: 100 },
    ]);
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        Array.from({ length: 4 }, () => client.callTool({ name: 'whoami', arguments: {} })),
      );
    }
    const [f1, f2, slow] = counts(servers);
    expect((f1 ?? 0) + (f2 ?? 0) + (slow ?? 0)).toBe(80);
    // Round robin would give it a third (27); peak-EWMA keeps it far below.
    expect(slow ?? 0).toBeLessThan(14);
  });
});
