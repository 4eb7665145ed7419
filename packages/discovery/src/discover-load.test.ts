import { rename, writeFile } from 'node:fs/promises';
import { MultiServerClient, ServerPool } from '@mcpool/core';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { type HttpTestServer, resultText, startHttpServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { discover } from './discover.js';
import { fileSource } from './file-source.js';

describe('discover under load', () => {
  const cleanup = useCleanup();
  const tmp = useTempDir('mcpool-discovery-load-');

  it('16 concurrent calls while discovery scales 3 → 6 → 2 servers: none fails', async () => {
    const servers: HttpTestServer[] = await Promise.all(
      Array.from({ length: 6 }, (_, i) => startHttpServer({ id: `r${i + 1}`, latencyMs: 5 })),
    );
    cleanup(async () => {
      await Promise.all(servers.map((s) => s.close()));
    });
    const path = tmp.path('servers.json');
    const publish = async (n: number) => {
      const doc = {
        mcpServers: Object.fromEntries(servers.slice(0, n).map((s) => [s.id, { url: s.url }])),
      };
      await writeFile(`${path}.tmp`, JSON.stringify(doc));
      await rename(`${path}.tmp`, path);
    };
    await publish(3);

    const pool = new ServerPool({ drainTimeout: 5_000 });
    const d = discover(pool, fileSource(path), { settle: 50 });
    const client = new MultiServerClient(pool);
    cleanup(async () => {
      await d.stop();
      await client.close();
    });
    await d.ready(AbortSignal.timeout(10_000));
    await pool.start();
    await pool.ready();

    const servedBy = new Map<string, number>();
    let failed = 0;
    let served = 0;
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        try {
          const r = await client.callTool({ name: 'whoami', arguments: {} });
          if (r.isError) failed++;
          else {
            served++;
            const id = resultText(r);
            servedBy.set(id, (servedBy.get(id) ?? 0) + 1);
          }
        } catch (error) {
          failed++;
          console.error(`worker ${w} call ${i}:`, error);
        }
      }
    };
    const workers = Array.from({ length: 16 }, (_, w) => worker(w));

    await waitFor(() => served > 100, { timeoutMs: 10_000 });
    await publish(6);
    // Each new server takes calls within one resolution of the change.
    await waitFor(() => ['r4', 'r5', 'r6'].every((id) => (servedBy.get(id) ?? 0) > 0), {
      timeoutMs: 10_000,
      message: 'the three new servers to serve calls',
    });
    // 6 → 2 removes two thirds at once: held by maxRemoveRatio until confirmed, then drained.
    const removed: string[] = [];
    d.on('discovery:update', (e) => removed.push(...e.removed));
    await publish(2);
    await waitFor(() => removed.length === 4, {
      timeoutMs: 15_000,
      message: 'four servers to drain and leave',
    });
    const after = served;
    servedBy.clear();
    await waitFor(() => served > after + 100, { timeoutMs: 10_000 });
    running = false;
    await Promise.all(workers);

    expect(failed).toBe(0);
    expect([...servedBy.keys()].sort()).toEqual(['r1', 'r2']);
    expect(removed.sort()).toEqual(['r3', 'r4', 'r5', 'r6']);
    expect(
      pool
        .servers()
        .map((s) => s.id)
        .sort(),
    ).toEqual(['r1', 'r2']);
  });
});
