import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCleanup } from '@mcpool/core/testing';
import {
  startHttpServer,
  startRoundRobinProxy,
  startV2HttpServer,
  v2StdioServerConfig,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { firstText, modernPool } from './test-pool.js';

const cleanup = useCleanup();
const whoami = { name: 'whoami', arguments: {} };

describe('eras through the pool', () => {
  it('on stdio, the probe process is spawned once per server, not once per connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpool-spawns-'));
    cleanup(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'pids');
    const spawned = () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    const config = {
      ...v2StdioServerConfig({ id: 'kid', spawnLog: log }),
      stderr: 'ignore' as const,
    };
    const { pool, client } = await modernPool(cleanup, [{ id: 'kid', transport: config }], {
      pool: { maxConnectionsPerServer: 3 },
    });
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe('modern');
    // Calls while every connection is busy make the pool open more, up to three.
    const connections = () => pool.getMetrics().serverMetrics[0]?.connections ?? 0;
    for (let round = 0; round < 30 && connections() < 3; round++) {
      await Promise.all(
        Array.from({ length: 4 }, () => client.callTool({ name: 'sleep', arguments: { ms: 300 } })),
      );
    }
    expect(connections()).toBe(3);
    await client.callTool(whoami);
    // One probe, three connections: 4 processes; a probe per connect would have made 6.
    await waitFor(() => spawned() >= 4);
    expect(spawned()).toBe(4);
  });

  it('a legacy server that became modern-only: -32022, one re-probe, each call sent once more', async () => {
    const old = cleanup(await startHttpServer({ id: 'x' }));
    const upgraded = cleanup(await startV2HttpServer({ id: 'x', legacy: 'reject' }));
    const proxy = cleanup(await startRoundRobinProxy([old.url]));
    const { pool, client } = await modernPool(cleanup, [
      { id: 'x', transport: { type: 'streamable-http', url: proxy.url } },
    ]);
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe('legacy');
    proxy.setUpstreams([upgraded.url]);
    const answers = await Promise.all(Array.from({ length: 5 }, () => client.callTool(whoami)));
    expect(answers.map(firstText)).toEqual(['x', 'x', 'x', 'x', 'x']);
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe('modern');
    // Each call refused once (-32022, before dispatch) and sent once on the re-probed connection.
    expect(upgraded.toolCallsByEra().modern).toBe(5);
    expect(upgraded.toolCallsByEra().legacy).toBeLessThanOrEqual(5);
    // Not one probe per refused call: the re-probe, and at most one connection opened meanwhile
    // (the server's verdict was dropped) probing for itself.
    expect(proxy.methods.get('server/discover')).toBeLessThanOrEqual(2);
  });

  it('a modern endpoint that is gone (404) fails calls fast and takes the server out, no retry storm', async () => {
    const server = cleanup(await startV2HttpServer({ id: 'm', legacy: 'reject' }));
    const proxy = cleanup(await startRoundRobinProxy([server.url]));
    const { pool, client } = await modernPool(
      cleanup,
      [{ id: 'm', transport: { type: 'streamable-http', url: proxy.url } }],
      { client: { maxRetries: 3 } },
    );
    const before = [...proxy.forwarded.values()].reduce((a, b) => a + b, 0);
    proxy.setUpstreams([server.url.replace(/\/mcp$/, '/gone')]);
    const started = performance.now();
    const errors = await Promise.all(
      Array.from({ length: 5 }, () => client.callTool(whoami).catch((e: unknown) => e)),
    );
    expect(errors.every((e) => e instanceof Error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(5_000);
    await waitFor(() => !pool.isHealthy('m'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = [...proxy.forwarded.values()].reduce((a, b) => a + b, 0) - before;
    // Five calls, a few attempts each and reconnects on backoff: bounded, not a storm.
    expect(sent).toBeLessThan(40);
  });
});
