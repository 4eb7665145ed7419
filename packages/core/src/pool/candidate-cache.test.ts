import { type InProcessTestServer, startInProcessServer, waitFor } from '@mcpool/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import type { PooledServer } from '../server/pooled-server.js';
import type { Balancer } from '../spec/balancer.js';
import type { RequestInfo, ServerConfig, ServerView } from '../spec/server.js';
import { startPool, useCleanup } from '../testing/index.js';
import { selectCandidates } from './selection.js';
import type { ServerPool } from './server-pool.js';

const cleanup = useCleanup();
const REQUEST: RequestInfo = { method: 'tools/call', params: undefined, safe: true };

function servers(n: number, extraTools: string[] = []): InProcessTestServer[] {
  const list = Array.from({ length: n }, (_, i) =>
    startInProcessServer({ id: `s${i + 1}`, extraTools }),
  );
  cleanup(async () => {
    await Promise.all(list.map((s) => s.close()));
  });
  return list;
}

/** A round robin that remembers every candidate array it was given. */
function recording(): Balancer & { seen: (readonly ServerView[])[] } {
  const seen: (readonly ServerView[])[] = [];
  let next = 0;
  return {
    name: 'recording',
    seen,
    pick<S extends ServerView>(candidates: readonly S[]): S {
      seen.push(candidates);
      return candidates[next++ % candidates.length] as S;
    },
  };
}

function ids(list: readonly ServerView[]): string[] {
  return list.map((s) => s.id);
}

/** What selection would say now, computed afresh from the pool's servers. */
function fresh(pool: ServerPool, offering: readonly string[] | undefined) {
  const map = new Map(pool.servers().map((s) => [s.id, s as PooledServer]));
  const picked = selectCandidates(map, offering);
  return { ids: ids(picked.servers), panic: picked.panic };
}

describe('the candidate lists the pool hands to balancers', () => {
  it('are the same array while nothing changes, through calls and through candidates()', async () => {
    const balancer = recording();
    const pool = await startPool(servers(3), { cleanup, balancer });
    const client = new MultiServerClient(pool);
    for (let i = 0; i < 6; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    expect(balancer.seen).toHaveLength(6);
    const first = balancer.seen[0];
    for (const list of balancer.seen) expect(list).toBe(first);
    expect(ids(first ?? [])).toEqual(['s1', 's2', 's3']);
    // A request any server may take, and a one-server offering built anew each time.
    expect(pool.candidates(REQUEST).servers).toBe(pool.candidates(REQUEST).servers);
    expect(pool.candidates(REQUEST, ['s2']).servers).toBe(pool.candidates(REQUEST, ['s2']).servers);
    expect(ids(pool.candidates(REQUEST, ['s2']).servers)).toEqual(['s2']);
    // getServer() picks among the same list.
    pool.getServer(balancer);
    expect(balancer.seen.at(-1)).toBe(pool.candidates(REQUEST).servers);
  });

  it('are replaced when a server is excluded and included again, and stay stable in between', async () => {
    const pool = await startPool(servers(3), { cleanup });
    const before = pool.candidates(REQUEST).servers;
    pool.exclude('s2', 'health', 'probe failed');
    const excluded = pool.candidates(REQUEST).servers;
    expect(excluded).not.toBe(before);
    expect(ids(excluded)).toEqual(['s1', 's3']);
    expect(pool.candidates(REQUEST).servers).toBe(excluded);
    // The list handed out before is left as it was.
    expect(ids(before)).toEqual(['s1', 's2', 's3']);
    pool.include('s2', 'health');
    const back = pool.candidates(REQUEST).servers;
    expect(back).not.toBe(excluded);
    expect(ids(back)).toEqual(['s1', 's2', 's3']);
  });

  it('are replaced when a server is excluded by a plugin', async () => {
    const pool = await startPool(servers(3), { cleanup });
    const before = pool.candidates(REQUEST).servers;
    pool.use({
      name: 'ejector',
      attach(host) {
        host.exclude('s1', 'outlier', 'too many failures');
        return undefined;
      },
    });
    const after = pool.candidates(REQUEST).servers;
    expect(after).not.toBe(before);
    expect(ids(after)).toEqual(['s2', 's3']);
  });

  it('are replaced when a server goes down', async () => {
    const list = servers(3);
    const pool = await startPool(list, { cleanup });
    const before = pool.candidates(REQUEST).servers;
    await list[2]?.close();
    await waitFor(() => !pool.isHealthy('s3'), { message: 's3 down' });
    const after = pool.candidates(REQUEST).servers;
    expect(after).not.toBe(before);
    expect(ids(after)).toEqual(['s1', 's2']);
    expect(pool.server('s3')?.state).toBe('down');
  });

  it('are replaced when a server is removed or added', async () => {
    const list = servers(4);
    const pool = await startPool(list.slice(0, 3), { cleanup });
    const before = pool.candidates(REQUEST).servers;
    await pool.removeServer('s2');
    const removed = pool.candidates(REQUEST).servers;
    expect(removed).not.toBe(before);
    expect(ids(removed)).toEqual(['s1', 's3']);
    const s4 = list[3] as InProcessTestServer;
    pool.addServer({ id: s4.id, transport: s4.transport });
    await pool.ready();
    const added = pool.candidates(REQUEST).servers;
    expect(added).not.toBe(removed);
    expect(ids(added)).toEqual(['s1', 's3', 's4']);
  });

  it('are replaced when sync changes a weight or a priority in place, and kept when it changes neither', async () => {
    const list = servers(3);
    const pool = await startPool(list, { cleanup });
    const configs = (weight: number, priority: number): ServerConfig[] =>
      list.map((s, i) => ({
        id: s.id,
        transport: s.transport,
        ...(i === 0 ? { weight, priority } : {}),
      }));
    const before = pool.candidates(REQUEST).servers;
    expect(await pool.sync(configs(1, 0))).toEqual({ added: [], removed: [], updated: [] });
    expect(pool.candidates(REQUEST).servers).toBe(before);
    expect(await pool.sync(configs(5, 0))).toMatchObject({ updated: ['s1'] });
    const weighted = pool.candidates(REQUEST).servers;
    expect(weighted).not.toBe(before);
    expect(weighted[0]?.weight).toBe(5);
    await pool.sync(configs(5, 2));
    const prioritised = pool.candidates(REQUEST).servers;
    expect(prioritised).not.toBe(weighted);
    expect(prioritised[0]?.priority).toBe(2);
    // Same members, same weights: a change elsewhere (s3 out and back in) keeps the array.
    pool.exclude('s3', 'operator', 'maintenance');
    pool.include('s3', 'operator');
    expect(pool.candidates(REQUEST).servers).toBe(prioritised);
  });

  it('are replaced when the catalog changes which servers offer a tool', async () => {
    const list = servers(3);
    const balancer = recording();
    const pool = await startPool(list, { cleanup, balancer });
    list[0]?.state.addTool('extra');
    list[1]?.state.addTool('extra');
    const client = new MultiServerClient(pool);
    await waitFor(async () => (await client.listTools()).some((t) => t.name === 'extra'));
    await pool.catalogSettled();
    await client.callTool({ name: 'extra', arguments: {} });
    await client.callTool({ name: 'extra', arguments: {} });
    const [a, b] = balancer.seen;
    expect(b).toBe(a);
    expect(ids(a ?? [])).toEqual(['s1', 's2']);
    list[2]?.state.addTool('extra');
    await waitFor(() => {
      const route = pool.catalog.routeTool('extra', () => true);
      return route.servers.length === 3;
    });
    await client.callTool({ name: 'extra', arguments: {} });
    const c = balancer.seen.at(-1);
    expect(c).not.toBe(a);
    expect(ids(c ?? [])).toEqual(['s1', 's2', 's3']);
  });

  it('equal a fresh selection after any sequence of changes, and a list handed out again is unchanged', async () => {
    const list = servers(5);
    const byId = new Map(list.map((s) => [s.id, s]));
    const kept = ['s1', 's3'];
    const wide = ['s2', 's3', 's4', 's5'];
    const offerings: (() => readonly string[] | undefined)[] = [
      () => undefined,
      () => kept,
      () => wide,
      () => [...kept],
      () => ['s4'],
    ];
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('exclude' as const),
        id: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
        source: fc.constantFrom('health', 'breaker'),
      }),
      fc.record({
        kind: fc.constant('include' as const),
        id: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
        source: fc.constantFrom('health', 'breaker'),
      }),
      fc.record({
        kind: fc.constant('sync' as const),
        members: fc.subarray(['s1', 's2', 's3', 's4', 's5'], { minLength: 1 }),
        weight: fc.integer({ min: 1, max: 3 }),
        priority: fc.integer({ min: 0, max: 2 }),
        of: fc.constantFrom('s1', 's2', 's3', 's4', 's5'),
      }),
      fc.record({ kind: fc.constant('settle' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        const pool = await startPool(list.slice(0, 3), { cleanup, strict: false });
        // What each offering's last list held when handed out: ids, weights, priorities.
        const handed = new Map<
          number,
          { list: readonly ServerView[]; members: string[]; snapshot: string }
        >();
        const snapshot = (servers: readonly ServerView[]) =>
          JSON.stringify(servers.map((s) => [s.id, s.weight, s.priority]));
        const check = () => {
          offerings.forEach((offering, k) => {
            const o = offering();
            const got = pool.candidates(REQUEST, o);
            expect({ ids: ids(got.servers), panic: got.panic }).toEqual(fresh(pool, o));
            const before = handed.get(k);
            if (before && before.list === got.servers) {
              expect(snapshot(got.servers)).toBe(before.snapshot);
            }
            // An array once handed out keeps its members (their weights are read live).
            if (before) expect(ids(before.list)).toEqual(before.members);
            handed.set(k, {
              list: got.servers,
              members: ids(got.servers),
              snapshot: snapshot(got.servers),
            });
          });
        };
        try {
          check();
          for (const step of ops) {
            const present = pool.server('id' in step ? step.id : '') !== undefined;
            if (step.kind === 'exclude' && present) pool.exclude(step.id, step.source, 'test');
            else if (step.kind === 'include' && present) pool.include(step.id, step.source);
            else if (step.kind === 'sync') {
              await pool.sync(
                step.members.map((id) => ({
                  id,
                  transport: (byId.get(id) as InProcessTestServer).transport,
                  ...(id === step.of ? { weight: step.weight, priority: step.priority } : {}),
                })),
              );
            } else if (step.kind === 'settle') await pool.ready();
            check();
          }
        } finally {
          await pool.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
