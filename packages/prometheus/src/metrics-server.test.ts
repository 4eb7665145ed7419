import type { AddressInfo } from 'node:net';
import { InvalidConfigError } from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { prometheusExporter, startMetricsServer } from './index.js';
import { onCleanup, runCleanups, sample, startTestPool } from './test-pool.js';

afterEach(runCleanups);

function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

describe('startMetricsServer', () => {
  it('binds 127.0.0.1 by default, serves /metrics only, and closes without a trace', async () => {
    const { pool } = await startTestPool(['a']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const before = listeningServers();
    const metrics = await exporter.startMetricsServer({ port: 0 });
    expect(listeningServers()).toBe(before + 1);
    expect(metrics.host).toBe('127.0.0.1');
    expect((metrics.server.address() as AddressInfo).address).toBe('127.0.0.1');
    expect(metrics.url).toBe(`http://127.0.0.1:${metrics.port}/metrics`);

    const ok = await fetch(metrics.url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(sample(await ok.text(), 'mcp_server_healthy{server="a"}')).toBe(1);
    const withQuery = await fetch(`${metrics.url}?x=1`);
    expect(withQuery.status).toBe(200);
    await withQuery.text();
    const head = await fetch(metrics.url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    const other = await fetch(`http://127.0.0.1:${metrics.port}/`);
    expect(other.status).toBe(404);
    await other.text();
    const post = await fetch(metrics.url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    await post.text();

    await metrics.close();
    await metrics.close();
    expect(metrics.server.listening).toBe(false);
    expect(listeningServers()).toBe(before);
    await expect(fetch(metrics.url)).rejects.toThrow();
  });

  it('rejects a taken port and leaves nothing listening', async () => {
    const exporter = prometheusExporter();
    const first = await exporter.startMetricsServer({ port: 0 });
    onCleanup(() => first.close());
    const before = listeningServers();
    await expect(exporter.startMetricsServer({ port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
    expect(listeningServers()).toBe(before);
  });

  it('closes when its signal aborts', async () => {
    const before = listeningServers();
    const controller = new AbortController();
    const metrics = await prometheusExporter().startMetricsServer({
      port: 0,
      signal: controller.signal,
    });
    onCleanup(() => metrics.close());
    expect(listeningServers()).toBe(before + 1);
    controller.abort();
    await metrics.close();
    expect(metrics.server.listening).toBe(false);
    expect(listeningServers()).toBe(before);
  });

  it('validates its options', async () => {
    await expect(
      startMetricsServer({ handler: prometheusExporter().handler, port: 70_000, path: 'metrics' }),
    ).rejects.toSatisfy(
      (e) => e instanceof InvalidConfigError && e.issues.map((i) => i.path).join() === 'port,path',
    );
  });
});

describe('exporter.handler', () => {
  it('mounts in any node:http server', async () => {
    const { createServer } = await import('node:http');
    const exporter = prometheusExporter();
    exporter.recordCache('miss', 4);
    const server = createServer((req, res) => {
      if (req.url === '/custom') exporter.handler(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onCleanup(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => setImmediate(() => setImmediate(resolve)));
        }),
    );
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/custom`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(sample(await res.text(), 'mcp_cache_misses_total')).toBe(4);
  });
});
