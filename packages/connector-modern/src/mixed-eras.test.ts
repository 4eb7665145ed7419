import { majority } from '@mcpool/aggregators';
import { CircuitBreakers } from '@mcpool/circuit-breaker';
import { useCleanup } from '@mcpool/core/testing';
import { HealthChecker } from '@mcpool/health';
import { startHttpServer, startV2HttpServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { firstText, modernPool } from './test-pool.js';

const cleanup = useCleanup();

/** A v1 server and a v2 modern-only server offering the same tools, in one pool. */
async function mixed(options: Parameters<typeof modernPool>[2] = {}) {
  const old = cleanup(await startHttpServer({ id: 'old' }));
  const modern = cleanup(await startV2HttpServer({ id: 'new', legacy: 'reject' }));
  const { pool, client } = await modernPool(
    cleanup,
    [
      // The v1 server through core's built-in legacy connector, the other through the modern one.
      { id: 'old', transport: old.transport, protocol: 'legacy' },
      { id: 'new', transport: modern.transport },
    ],
    options,
  );
  return { old, modern, pool, client };
}

const whoami = { name: 'whoami', arguments: {} };

describe('a pool of a v1 server and a modern server offering the same tools', () => {
  it('knows each server by its era and balances across both', async () => {
    const { pool, client, modern } = await mixed();
    const eras = Object.fromEntries(
      pool.getMetrics().serverMetrics.map((m) => [m.serverId, m.era]),
    );
    expect(eras).toEqual({ old: 'legacy', new: 'modern' });
    // One catalog: the same tools, not namespaced apart.
    expect((await client.listTools()).map((t) => t.name).sort()).toContain('whoami');
    expect((await client.listTools()).map((t) => t.name)).not.toContain('new__whoami');
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(firstText(await client.callTool(whoami)) ?? '');
    expect(answers.filter((a) => a === 'old')).toHaveLength(5);
    expect(answers.filter((a) => a === 'new')).toHaveLength(5);
    expect(modern.toolCallsByEra()).toEqual({ legacy: 0, modern: 5 });
  });

  it('fails over from one era to the other, both ways', async () => {
    const { client, old, modern } = await mixed({
      client: { fallback: { enabled: true }, maxRetries: 2 },
    });
    modern.state.mode = 'error';
    for (let i = 0; i < 4; i++) expect(firstText(await client.callTool(whoami))).toBe('old');
    modern.state.mode = 'ok';
    old.state.mode = 'error';
    for (let i = 0; i < 4; i++) expect(firstText(await client.callTool(whoami))).toBe('new');
    expect(modern.state.callCount).toBeGreaterThanOrEqual(4);
  });

  it('takes a majority across eras', async () => {
    // `add` takes arguments, so the v1 SDK writes a draft-07 `$schema` into its schemas and the
    // v2 SDK 2020-12: the catalog still counts the three as replicas of one tool.
    const old = cleanup(await startHttpServer({ id: 'a' }));
    const dual = cleanup(await startV2HttpServer({ id: 'b' }));
    const strict = cleanup(await startV2HttpServer({ id: 'c', legacy: 'reject' }));
    const { client } = await modernPool(cleanup, [
      { id: 'a', transport: old.transport, protocol: 'legacy' },
      { id: 'b', transport: dual.transport },
      { id: 'c', transport: strict.transport, protocol: '2026-07-28' },
    ]);
    expect((await client.listTools()).map((t) => t.name)).not.toContain('c__add');
    const add = { name: 'add', arguments: { a: 5, b: 3 } };
    expect(firstText(await client.callTool(add, { aggregation: majority() }))).toBe('8');
    expect([old.state.calls.add, dual.state.calls.add, strict.state.calls.add]).toEqual([1, 1, 1]);
    // A wrong answer from one era is outvoted by the other two.
    old.state.answerOffset = 1;
    expect(firstText(await client.callTool(add, { aggregation: majority() }))).toBe('8');
    old.state.answerOffset = 0;
    // One era's server failing leaves a majority of two, one from each era.
    strict.state.mode = 'error';
    expect(firstText(await client.callTool(add, { aggregation: majority() }))).toBe('8');
    dual.state.mode = 'error';
    await expect(client.callTool(add, { aggregation: majority() })).rejects.toThrow();
  });

  it('checks the health of both: ping on the legacy one, server/discover on the modern one', async () => {
    const { pool, modern, old } = await mixed();
    const health = new HealthChecker({ interval: 60_000, timeout: 2_000, maxFailures: 1 });
    pool.use(health);
    const statuses = await health.checkNow();
    expect(statuses.map((s) => [s.serverId, s.healthy])).toEqual([
      ['old', true],
      ['new', true],
    ]);
    // The modern server was asked server/discover (a fresh instance per request on a v2 server).
    const before = modern.instancesByEra().modern;
    await health.checkNow('new');
    expect(modern.instancesByEra().modern).toBe(before + 1);
    await modern.kill();
    await old.kill();
    const down = await health.checkNow();
    expect(down.every((s) => !s.healthy)).toBe(true);
    expect(pool.isHealthy('new')).toBe(false);
    expect(pool.isHealthy('old')).toBe(false);
  });

  it.each(['new', 'old'] as const)(
    'opens a breaker on the %s server when it fails',
    async (which) => {
      const { pool, client, modern, old } = await mixed({
        client: { fallback: { enabled: true }, maxRetries: 1 },
      });
      pool.use(
        new CircuitBreakers({
          volumeThreshold: 3,
          errorThresholdPercentage: 50,
          resetTimeout: 60_000,
        }),
      );
      const [failing, other] = which === 'new' ? [modern, old] : [old, modern];
      failing.state.mode = 'error';
      for (let i = 0; i < 8; i++) expect(firstText(await client.callTool(whoami))).toBe(other.id);
      await waitFor(() => !pool.isHealthy(failing.id));
      expect(pool.exclusions(failing.id)).toHaveProperty('breaker');
      // Open: no more calls reach it.
      const reached = failing.state.callCount;
      for (let i = 0; i < 4; i++) await client.callTool(whoami);
      expect(failing.state.callCount).toBe(reached);
    },
  );
});
