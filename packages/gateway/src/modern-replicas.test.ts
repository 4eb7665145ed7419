// Two `mcpool serve --http` replicas behind a round-robin proxy on 127.0.0.1, with no session
// secret: a modern (2026-07-28) client needs no session state, so every request may land on
// either replica and nothing breaks.

import { writeFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { startHttpServer, startRoundRobinProxy } from '@mcpool/testkit';
import {
  Client as V2Client,
  StreamableHTTPClientTransport as V2Http,
} from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { spawnServe, text } from './test-helpers.js';

const cleanup = useCleanup();
const tmp = useTempDir('mcpool-modern-replicas-');

describe('modern clients across gateway replicas', { timeout: 60_000 }, () => {
  it('serves every request on whichever replica it lands, with no session secret', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const file = tmp.path('replicas.json');
    await writeFile(file, JSON.stringify({ mcpServers: { up: { url: up.url } } }));
    const replicas = await Promise.all([spawnServe(file), spawnServe(file)]);
    for (const r of replicas) cleanup(r.kill);
    const proxy = await startRoundRobinProxy(
      replicas.map((r) => r.url),
      {
        retryFailedConnects: true,
      },
    );
    cleanup(proxy.close);

    const client = new V2Client(
      { name: 'modern', version: '0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } },
    );
    await client.connect(new V2Http(new URL(proxy.url)));
    cleanup(() => client.close());
    expect(client.getProtocolEra()).toBe('modern');
    expect(
      (await client.listTools({}, { cacheMode: 'refresh' })).tools.map((t) => t.name),
    ).toContain('add');
    for (let i = 0; i < 6; i++) {
      expect(text(await client.callTool({ name: 'add', arguments: { a: i, b: 1 } }))).toBe(
        String(i + 1),
      );
    }
    const calls = proxy.hops.filter((h) => h.rpc === 'tools/call');
    expect(calls).toHaveLength(6);
    expect(new Set(calls.map((h) => h.replica))).toEqual(new Set([0, 1]));
  });
});
