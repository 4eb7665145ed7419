import { rename, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { delay, type HttpTestServer, startHttpServer, waitFor } from '@mcpool/testkit';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from './config.js';
import { Gateway } from './gateway.js';
import { PROBE_PATHS, startHttpGateway } from './http.js';
import { connectOver, runCli as run, startCli, text } from './test-helpers.js';

const cleanup = useCleanup();
const tmp = useTempDir('mcpool-gateway-discovery-');

async function servers(...ids: string[]): Promise<HttpTestServer[]> {
  const started = await Promise.all(ids.map((id) => startHttpServer({ id })));
  cleanup(async () => {
    await Promise.all(started.map((s) => s.close()));
  });
  return started;
}

/** Writes an `mcpServers` file the way an editor or a config agent replaces it. */
async function publish(path: string, list: readonly HttpTestServer[]): Promise<void> {
  const doc = { mcpServers: Object.fromEntries(list.map((s) => [s.id, { url: s.url }])) };
  await writeFile(`${path}.tmp`, JSON.stringify(doc));
  await rename(`${path}.tmp`, path);
}

describe('the discovery key of mcpool.json', () => {
  it('may replace mcpServers, and names one source', () => {
    const config = parseGatewayConfig({
      discovery: { kubernetes: { service: 'mcp-servers' }, maxRemoveRatio: 0.3 },
    });
    expect(config.servers).toEqual([]);
    expect(config.discovery).toEqual({
      source: { kubernetes: { service: 'mcp-servers' } },
      rules: { maxRemoveRatio: 0.3 },
    });
    expect(() => parseGatewayConfig({})).toThrow(/mcpServers: configure at least one .*discovery/);
    expect(() =>
      parseGatewayConfig({ discovery: { dns: { name: 'x' }, file: 'servers.json' } }),
    ).toThrow(/discovery: name exactly one source.*not dns and file/);
    expect(() => parseGatewayConfig({ discovery: { zookeeper: {}, settle: -1 } })).toThrow(
      /discovery\.settle: Too small[\s\S]*discovery\.zookeeper: unknown option/,
    );
  });

  it('mcpool check resolves it, prints what it found and checks those servers', async () => {
    const [a, b] = await servers('a', 'b');
    const list = tmp.path('found.json');
    await publish(list, [a as HttpTestServer, b as HttpTestServer]);
    const file = tmp.path('check-discovery.json');
    await writeFile(file, JSON.stringify({ discovery: { file: 'found.json' } }));
    const ran = await run(['check', '--config', file, '--timeout', '5000']);
    expect(ran.stderr).toBe('');
    expect(ran.code).toBe(0);
    expect(ran.stdout).toContain(`discovery: file:${list} found 2 servers`);
    expect(ran.stdout).toContain(`  a  ${a?.url}`);
    expect(ran.stdout).toMatch(/^a\s+http\s+ok/m);
    expect(ran.stdout).toContain('2 of 2 servers ok');
  });

  it('mcpool check names a bad source option with its path', async () => {
    const file = tmp.path('bad-discovery.json');
    await writeFile(
      file,
      JSON.stringify({ discovery: { kubernetes: { service: 'MCP_Servers' } } }),
    );
    const ran = await run(['check', '--config', file]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toMatch(
      /discovery\.kubernetes\.service: a Service name is a lowercase DNS label/,
    );
  });

  it('mcpool serve follows the source: a new server takes calls, probes answer', async () => {
    const [a, b, c] = await servers('a', 'b', 'c');
    const list = tmp.path('serve-found.json');
    // No replica yet: serve waits for the first server rather than starting empty.
    await publish(list, []);
    const file = tmp.path('serve-discovery.json');
    await writeFile(
      file,
      JSON.stringify({ discovery: { file: 'serve-found.json', settle: 0, maxRemoveRatio: 1 } }),
    );
    const served = startCli(['serve', '--config', file, '--http', '127.0.0.1:0']);
    cleanup(served.kill);
    await served.waitForStderr(/waiting for the first set/, 10_000);
    await delay(300);
    expect(served.stderr()).not.toContain('serving');
    await publish(list, [a as HttpTestServer, b as HttpTestServer]);
    const [, url = ''] = await served.waitForStderr(/serving 2 servers at (\S+)/, 10_000);
    const base = new URL(url);
    expect((await fetch(new URL(PROBE_PATHS.live, base))).status).toBe(200);
    expect((await fetch(new URL(PROBE_PATHS.ready, base))).status).toBe(200);

    const host = await connectOver(new StreamableHTTPClientTransport(new URL(url)), 'web');
    cleanup(() => host.close());
    const seen = new Set<string>();
    const call = async () => {
      seen.add(text(await host.client.callTool({ name: 'whoami', arguments: {} })));
    };
    for (let i = 0; i < 4; i++) await call();
    expect([...seen].sort()).toEqual(['a', 'b']);

    await publish(list, [b as HttpTestServer, c as HttpTestServer]);
    await waitFor(
      async () => {
        await call();
        return seen.has('c');
      },
      { timeoutMs: 10_000, message: 'server c to take a call' },
    );
    seen.clear();
    await waitFor(() => (a?.sessionCount() ?? 0) === 0, { message: 'a to be drained and closed' });
    for (let i = 0; i < 4; i++) await call();
    expect([...seen].sort()).toEqual(['b', 'c']);
    served.child.kill('SIGTERM');
    expect(await served.exited()).toBe(0);
  });
});

describe('probes', () => {
  it('/healthz and /readyz answer any Host without the token; /readyz follows the readiness gates', async () => {
    const [a] = await servers('a');
    const gateway = new Gateway({
      servers: [{ id: 'a', transport: (a as HttpTestServer).transport }],
    });
    let ready = false;
    gateway.addReadinessGate(() => ready, 'test');
    const http = await startHttpGateway(gateway, {
      port: 0,
      token: 'probe-token-0123456789',
    });
    cleanup(async () => {
      await http.close();
      await gateway.close();
    });
    // A kubelet probe's Host is the pod's address: node:http, since fetch sets Host itself.
    const get = (path: string) =>
      new Promise<{ status: number }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: http.port, path, headers: { host: `10.1.2.3:${http.port}` } },
          (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0 });
          },
        );
        req.on('error', reject);
        req.end();
      });
    expect((await get('/healthz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(503);
    ready = true;
    expect((await get('/readyz')).status).toBe(200);
    // Everything else still goes through the Host check.
    expect((await get('/mcp')).status).toBe(403);
  });
});
