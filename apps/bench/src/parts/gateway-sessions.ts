/**
 * What an idle downstream session of the gateway costs: sessions opened
 * (initialize + initialized) on an in-process gateway, and the heap they hold
 * after full collections. Part of the gateway part.
 */
import { request as httpRequest } from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { settleHeap } from '../util/gc.js';

/** One raw POST; resolves with the status and the session id handed out. */
function post(
  url: string,
  body: unknown,
  session?: string,
): Promise<{ status: number; session?: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(session ? { 'mcp-session-id': session } : {}),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => {
          const id = res.headers['mcp-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            ...(typeof id === 'string' ? { session: id } : {}),
          });
        });
      },
    );
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Opens `count` idle sessions on an in-process gateway and measures the heap they hold. */
export async function sessionMemory(upstream: readonly string[], count: number) {
  const gatewayModule = (await import('@mcpool/gateway')) as typeof import('@mcpool/gateway');
  const config = gatewayModule.parseGatewayConfig({
    mcpServers: Object.fromEntries(upstream.map((url, i) => [`up${i}`, { url }])),
  });
  const gateway = new gatewayModule.Gateway(await gatewayModule.gatewayOptionsFromConfig(config));
  const http = await gatewayModule.startHttpGateway(gateway, { port: 0, maxSessions: count + 50 });
  try {
    const init = (i: number) => ({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: LATEST_PROTOCOL_VERSION,
        capabilities: { sampling: {}, roots: { listChanged: true } },
        clientInfo: { name: `idle-${i}`, version: '1.0.0' },
      },
    });
    // Warm up the code paths so that compiled code is not counted as session memory.
    for (let i = 0; i < 20; i++) await post(http.url, init(i));
    const before = await settleHeap();
    const base = http.sessionCount();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const opened = await post(http.url, init(i));
      if (opened.status !== 200 || !opened.session)
        throw new Error(`initialize answered ${opened.status}`);
      await post(http.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, opened.session);
    }
    const openMs = (performance.now() - t0) / count;
    const after = await settleHeap();
    const opened = http.sessionCount() - base;
    if (opened !== count)
      throw new Error(`expected ${count} sessions, the gateway holds ${opened}`);
    return { count, bytesPerSession: (after - before) / count, openMs };
  } finally {
    await http.close();
    await gateway.close();
  }
}
