import { writeFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { startHttpServer, waitFor } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { connectOver, initializeRequest, spawnServe, text } from './test-helpers.js';

const tmp = useTempDir('mcpool-shutdown-');
const cleanup = useCleanup();

const INITIALIZE = JSON.stringify(initializeRequest('late'));

describe('mcpool serve --http, SIGTERM', () => {
  it('turns /readyz 503 at once, refuses new sessions, answers every call in flight and exits 0', async () => {
    const up = await startHttpServer({ id: 'up', latencyMs: 1_500 });
    cleanup(up.close);
    const config = tmp.path('drain.json');
    await writeFile(
      config,
      JSON.stringify({ mcpServers: { up: { url: up.url } }, timeouts: { drain: 10_000 } }),
    );
    const served = await spawnServe(config);
    cleanup(served.kill);

    expect((await fetch(`${served.base}/healthz`)).status).toBe(200);
    const host = await connectOver(new StreamableHTTPClientTransport(new URL(served.url)), 'load');
    cleanup(() => host.close().catch(() => {}));
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
