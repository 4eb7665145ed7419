import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerPool } from '@mcpool/core';
import { waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { discover } from './discover.js';
import { fileSource } from './file-source.js';
import { shareSource } from './share-source.js';
import type { Source } from './source.js';

describe('shareSource', () => {
  it('runs one watch for many pools, and stops it with the last one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcpool-share-'));
    const path = join(dir, 'servers.json');
    const write = async (names: string[]) => {
      await writeFile(
        `${path}.tmp`,
        JSON.stringify({
          mcpServers: Object.fromEntries(
            names.map((n, i) => [n, { url: `http://127.0.0.${i + 2}:1/mcp` }]),
          ),
        }),
      );
      await rename(`${path}.tmp`, path);
    };
    await write(['a']);
    const file = fileSource(path);
    let watches = 0;
    let stopped = 0;
    const counted: Source = {
      name: file.name,
      resolve: (signal) => file.resolve(signal),
      watch(listener, signal) {
        watches++;
        signal.addEventListener('abort', () => stopped++);
        file.watch?.(listener, signal);
      },
    };
    const shared = shareSource(counted);
    const pools = [new ServerPool(), new ServerPool(), new ServerPool()];
    const fixed = new ServerPool();
    const discoveries = pools.map((p) => discover(p, shared, { settle: 0, maxRemoveRatio: 1 }));
    // A pool may keep servers of its own beside the discovered ones.
    const withOwn = discover(fixed, shared, {
      settle: 0,
      maxRemoveRatio: 1,
      include: [
        { id: 'own', transport: { type: 'streamable-http', url: 'http://127.0.0.9:1/mcp' } },
      ],
    });
    try {
      await Promise.all([...discoveries, withOwn].map((d) => d.ready(AbortSignal.timeout(5_000))));
      await write(['b', 'c']);
      for (const p of pools)
        await waitFor(
          () =>
            p
              .servers()
              .map((s) => s.id)
              .join() === 'b,c',
        );
      await waitFor(
        () =>
          fixed
            .servers()
            .map((s) => s.id)
            .sort()
            .join() === 'b,c,own',
      );
      expect(watches).toBe(1);
      for (const d of [...discoveries, withOwn]) await d.stop();
      expect(stopped).toBe(1);
    } finally {
      await Promise.all([...pools, fixed].map((p) => p.close()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
