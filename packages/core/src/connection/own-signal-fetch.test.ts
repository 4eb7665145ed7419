import { getEventListeners } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHttpServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../index.js';
import { ServerPool } from '../pool/server-pool.js';
import { useCleanup } from '../testing/index.js';
import { ownSignalFetch } from './own-signal-fetch.js';

const cleanup = useCleanup();

/** A plain HTTP server on 127.0.0.1: `/json` answers at once, `/stream` never ends its body. */
async function startRawServer(): Promise<{ url: string; streams: ServerResponse[] }> {
  const streams: ServerResponse[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      streams.push(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup(async () => {
    for (const s of streams) s.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, streams };
}

describe('ownSignalFetch', () => {
  it('leaves one listener on a shared signal, however many requests used it', async () => {
    const { url } = await startRawServer();
    const shared = new AbortController();
    const fetchOwn = ownSignalFetch();
    for (let i = 0; i < 50; i++) {
      const response = await fetchOwn(`${url}/json`, { signal: shared.signal });
      expect(await response.json()).toEqual({ ok: true });
    }
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    // Node's own fetch with the same signal keeps one per request until they are collected.
    const plain = new AbortController();
    for (let i = 0; i < 20; i++)
      await (await fetch(`${url}/json`, { signal: plain.signal })).json();
    expect(getEventListeners(plain.signal, 'abort').length).toBeGreaterThan(1);
  });

  it('aborting the shared signal still ends a response stream being read', async () => {
    const { url, streams } = await startRawServer();
    const shared = new AbortController();
    const response = await ownSignalFetch()(`${url}/stream`, { signal: shared.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('first');
    expect(streams).toHaveLength(1);
    const pending = reader.read();
    shared.abort(new Error('transport closed'));
    await expect(pending).rejects.toThrow();
  });

  it('a request whose shared signal is already aborted fails at once', async () => {
    const { url } = await startRawServer();
    const shared = new AbortController();
    shared.abort(new Error('closed before'));
    await expect(ownSignalFetch()(`${url}/json`, { signal: shared.signal })).rejects.toThrow(
      'closed before',
    );
  });

  it('a pool over Streamable HTTP runs thousands of calls without MaxListenersExceededWarning', async () => {
    const server = await startHttpServer({ id: 'a' });
    cleanup(() => server.close());
    const pool = new ServerPool();
    pool.addServer({ id: 'a', transport: { type: 'streamable-http', url: server.url } });
    await pool.start({ strict: true });
    cleanup(() => pool.close());
    const client = new MultiServerClient(pool);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    cleanup(async () => {
      process.off('warning', onWarning);
    });
    for (let i = 0; i < 1_600; i++) {
      await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    }
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
