import { describe, expect, it } from 'vitest';
import { startHttpServer } from './http-server.js';
import { startRoundRobinProxy } from './round-robin-proxy.js';
import { initializeBody, useCleanups } from './test-rig.js';
import { freePort, waitFor } from './wait.js';

const cleanups = useCleanups();

const PING = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

function post(url: string, headers: Record<string, string> = {}, body = PING): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
  });
}

describe('startRoundRobinProxy', () => {
  it('sends each request to the next upstream and records where it went', async () => {
    const a = await startHttpServer({ id: 'a' });
    const b = await startHttpServer({ id: 'b' });
    cleanups.push(a.close, b.close);
    const proxy = await startRoundRobinProxy([a.url, b.url]);
    cleanups.push(proxy.close);
    for (let i = 0; i < 4; i++) await (await post(proxy.url, { 'mcp-method': 'ping' })).text();
    expect(proxy.hops.map((h) => h.replica)).toEqual([0, 1, 0, 1]);
    expect(proxy.hops.every((h) => h.method === 'POST' && h.rpc === 'ping')).toBe(true);
    expect(proxy.forwarded.get(a.url)).toBe(2);
    expect(proxy.forwarded.get(b.url)).toBe(2);
    expect(proxy.methods.get('ping')).toBe(4);

    proxy.setUpstreams([b.url]);
    // The SDK's transport refuses an initialize whose Accept lacks text/event-stream.
    proxy.rewrite = (headers) => {
      headers.accept = 'application/json';
    };
    const rewritten = await post(
      proxy.url,
      { accept: 'application/json, text/event-stream' },
      initializeBody(),
    );
    await rewritten.text();
    expect(rewritten.status).toBe(406);
    expect(proxy.hops.at(-1)).toMatchObject({ upstream: b.url, replica: 0 });
  });

  it('answers 502 for a refused upstream, or retries it on the next one when asked', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanups.push(up.close);
    const dead = `http://127.0.0.1:${await freePort()}/mcp`;
    const plain = await startRoundRobinProxy([dead]);
    cleanups.push(plain.close);
    const refused = await post(plain.url);
    expect(refused.status).toBe(502);
    expect(await refused.text()).toBe('upstream failed');

    const retrying = await startRoundRobinProxy([dead, up.url], { retryFailedConnects: true });
    cleanups.push(retrying.close);
    const answered = await post(retrying.url);
    await answered.text();
    expect(answered.status).not.toBe(502);
    expect(retrying.retried()).toBe(1);
    expect(retrying.hops).toEqual([{ replica: 1, upstream: up.url, method: 'POST', rpc: 'ping' }]);
  });

  it('holds the requests it is told to until release(), then sends them on', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanups.push(up.close);
    const proxy = await startRoundRobinProxy([up.url]);
    cleanups.push(proxy.close);
    proxy.hold = (_req, body) => body.includes('"ping"');
    let answered = false;
    const pending = post(proxy.url).then(async (r) => {
      answered = true;
      return r.status;
    });
    await waitFor(() => proxy.held.length === 1);
    expect(answered).toBe(false);
    expect(proxy.hops).toEqual([]);
    proxy.release();
    expect(await pending).toBeGreaterThan(0);
    expect(proxy.held).toHaveLength(0);
    expect(proxy.hops).toHaveLength(1);
  });
});
