import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const core = import.meta.resolve('@mcpool/core');

/**
 * A process that watches a file, a Kubernetes API and Consul, then stops
 * discovery and closes what it opened, must end by itself: no timer, socket,
 * watcher or keep-alive agent left behind.
 */
const script = `
import { createServer } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerPool } from ${JSON.stringify(core)};
import { discover, fileSource, kubernetesSource, consulSource } from ${JSON.stringify(dist)};

const slice = { kind: 'EndpointSlice', apiVersion: 'discovery.k8s.io/v1',
  metadata: { name: 's', namespace: 'default', resourceVersion: '5' }, addressType: 'IPv4',
  ports: [{ name: 'mcp', port: 8080 }],
  endpoints: [{ addresses: ['127.0.0.2'], conditions: { ready: true }, targetRef: { name: 'p1' } }] };
const held = new Set();
const api = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  res.setHeader('content-type', 'application/json');
  if (url.pathname.startsWith('/v1/health/service/')) {
    res.setHeader('x-consul-index', '7');
    if (url.searchParams.get('index')) { held.add(res); return; }
    res.end(JSON.stringify([{ Service: { ID: 'c1', Address: '127.0.0.3', Port: 8080 } }]));
  } else if (url.searchParams.get('watch') === 'true') {
    res.writeHead(200); res.flushHeaders(); held.add(res);
  } else {
    res.end(JSON.stringify({ kind: 'EndpointSliceList', metadata: { resourceVersion: '5' }, items: [slice] }));
  }
});
await new Promise((r) => api.listen(0, '127.0.0.1', r));
const base = 'http://127.0.0.1:' + api.address().port;
const dir = mkdtempSync(join(tmpdir(), 'mcpool-exit-'));
writeFileSync(join(dir, 'kubeconfig'), ['apiVersion: v1', 'kind: Config',
  'clusters:', '- name: t', '  cluster:', '    server: ' + base, '    insecure-skip-tls-verify: true',
  'users:', '- name: t', '  user:', '    token: x',
  'contexts:', '- name: t', '  context:', '    cluster: t', '    user: t', 'current-context: t', ''].join('\\n'));
writeFileSync(join(dir, 'servers.json'), JSON.stringify({ mcpServers: { f: { url: 'http://127.0.0.4:1/mcp' } } }));
const sources = [
  fileSource(join(dir, 'servers.json')),
  kubernetesSource({ service: 'mcp', kubeconfig: join(dir, 'kubeconfig') }),
  consulSource({ service: 'mcp', url: base }),
];
for (const source of sources) {
  const pool = new ServerPool();
  const d = discover(pool, source);
  d.on('discovery:error', ({ error }) => console.error(source.name, error.message));
  d.on('discovery:held', (h) => console.error(source.name, JSON.stringify(h)));
  await d.ready(AbortSignal.timeout(5000));
  await d.stop();
  await pool.close();
}
for (const res of held) res.destroy();
api.closeAllConnections();
await new Promise((r) => api.close(r));
console.log('stopped');
`;

describe('stop() and close()', () => {
  it('leave nothing that keeps the process alive', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('stopped');
    // Killed by the timeout means something was still open.
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
  });
});
