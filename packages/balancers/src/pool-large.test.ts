import { type Balancer, MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { consistentHash } from './consistent-hash.js';
import { leastConnections } from './least-connections.js';
import { weighted } from './weighted.js';

// More servers than the strategies re-check per pick (64), so a real pool
// drives their per-set structures: the trees of leastConnections, the lazy
// schedule of weighted, the ring of consistentHash.
const SIZE = 70;

const cleanup = useCleanup();

async function setup(balancer: Balancer, weightOf: (i: number) => number = () => 1) {
  const servers = Array.from({ length: SIZE }, (_, i) => startInProcessServer({ id: `s${i}` }));
  const pool = new ServerPool({ balancer });
  servers.forEach((s, i) => {
    pool.addServer({ id: s.id, transport: s.transport, weight: weightOf(i) });
  });
  cleanup(async () => {
    await pool.close();
    await Promise.all(servers.map((s) => s.close()));
  });
  await pool.start({ strict: true });
  return { client: new MultiServerClient(pool), servers, pool };
}

const whoami = { name: 'whoami', arguments: {} };
const counts = (servers: InProcessTestServer[]) => servers.map((s) => s.state.calls.whoami ?? 0);

describe(`balancers driving a real pool of ${SIZE} servers`, () => {
  it('weighted: exact shares over whole cycles', async () => {
    const { client, servers } = await setup(weighted(), (i) => (i === 0 ? 5 : 1));
    const cycle = 5 + SIZE - 1;
    for (let i = 0; i < 2 * cycle; i++) await client.callTool(whoami);
    const got = counts(servers);
    expect(got[0]).toBe(10);
    for (const n of got.slice(1)) expect(n).toBe(2);
  });

  it('least connections: servers busy with long calls get no new ones', async () => {
    const { client, servers } = await setup(leastConnections());
    // Every server but the last three busy with a long call.
    const long = servers
      .slice(0, SIZE - 3)
      .map((s) => client.callTool({ name: 'sleep', arguments: { ms: 400 } }, { server: s.id }));
    for (let i = 0; i < 9; i++) await client.callTool(whoami);
    await Promise.all(long);
    const got = counts(servers);
    expect(got.slice(0, SIZE - 3).every((n) => n === 0)).toBe(true);
    expect(got.slice(SIZE - 3)).toEqual([3, 3, 3]);
  });

  it('consistent hash: a key keeps its server, and moves only when that server is excluded', async () => {
    const { client, servers, pool } = await setup(consistentHash());
    const where = async (key: string) => {
      const before = counts(servers);
      await client.callTool(whoami, { key });
      const after = counts(servers);
      return after.findIndex((n, i) => n !== before[i]);
    };
    const home = await where('conversation-7');
    for (let i = 0; i < 5; i++) expect(await where('conversation-7')).toBe(home);
    const other = await where('conversation-8');
    pool.exclude(`s${home}`, 'operator', 'maintenance');
    const moved = await where('conversation-7');
    expect(moved).not.toBe(home);
    // A key whose server is still there stays put.
    if (other !== home) expect(await where('conversation-8')).toBe(other);
  });
});
