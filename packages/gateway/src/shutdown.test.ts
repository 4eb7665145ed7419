import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpServer, waitFor } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectOver, spawnServe, text } from './test-helpers.js';

let dir: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcpool-shutdown-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 'late', version: '0' },
  },
});

describe('mcpool serve --http, SIGTERM', () => {
  it('turns /readyz 503 at once, refuses new sessions, answers every call in flight and exits 0', async () => {
    const up = await startHttpServer({ id: 'up', latencyMs: 1_500 });
    cleanups.push(up.close);
    const config = join(dir, 'drain.json');
    await writeFile(
      config,
      JSON.stringify({ mcpServers: { up: { url: up.url } }, timeouts: { drain: 10_000 } }),
    );
    const served = await spawnServe(config);
    cleanups.push(served.kill);

    expect((await fetch(`${served.base}/healthz`)).status).toBe(200);
    const host = await connectOver(new StreamableHTTPClientTransport(new URL(served.url)), 'load');
    cleanups.push(() => host.close().catch(() => {}));
    expect((await fetch(`${served.base}/readyz`)).status).toBe(200);

    const calls = Array.from({ length: 8 }, (_, i) =>
      host.client.callTool({ name: 'add', arguments: { a: i, b: 1 } }),
    );
    await waitFor(() => up.state.callCount >= 8, { message: 'every call upstream' });
    served.child.kill('SIGTERM');

    const ready = await waitFor(
      async () => {
        const status = (await fetch(`${served.base}/readyz`)).status;
        return status === 503 ? status : undefined;
      },
      { message: '/readyz 503', timeoutMs: 2_000 },
    );
    expect(ready).toBe(503);
    const late = await fetch(served.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: INITIALIZE,
    });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');

    const answers = await Promise.all(calls);
    expect(answers.map((a) => text(a))).toEqual(Array.from({ length: 8 }, (_, i) => `${i + 1}`));
    expect(await served.exited()).toBe(0);
    await waitFor(() => up.sessionCount() === 0, { message: 'upstream session closed' });
  });
});
