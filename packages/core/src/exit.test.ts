/**
 * Proves that closing a pool leaves nothing behind: a child `node` process
 * builds a pool of a stdio server, a Streamable HTTP server and an in-process
 * server, calls them, closes everything, and must then exit on its own (no
 * `process.exit`). If it does not, it prints what keeps it alive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const coreDist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const testkitDist = fileURLToPath(new URL('../../testkit/dist/index.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'mcpool-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script = `
import { MultiServerClient, ServerPool } from ${JSON.stringify(pathToFileURL(coreDist).href)};
import {
  startHttpServer,
  startInProcessServer,
  stdioServerConfig,
} from ${JSON.stringify(pathToFileURL(testkitDist).href)};

const http = await startHttpServer({ id: 'web' });
const local = startInProcessServer({ id: 'local' });
const pool = new ServerPool({ maxConnectionsPerServer: 2, connectionTimeout: 5000 });
pool.addServer({ id: 'child', transport: stdioServerConfig({ id: 'child' }) });
pool.addServer({ id: 'web', transport: http.transport });
pool.addServer({ id: 'local', transport: local.transport });
await pool.start({ strict: true });
const client = new MultiServerClient(pool);
const seen = new Set();
for (let i = 0; i < 6; i++) {
  const r = await client.callTool({ name: 'whoami', arguments: {} });
  seen.add(r.content[0].text);
}
// Concurrent calls open extra sessions, a listing walks every server.
await Promise.all(
  ['child', 'web', 'local'].flatMap((server) =>
    [1, 2, 3].map(() => client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }, { server })),
  ),
);
await client.listTools();
await client.listTools({ server: 'web' });
await client.close();
await pool.close();
await http.close();
await local.close();
process.stdout.write('CLOSED ' + [...seen].sort().join(',') + '\\n');

// Does not keep the process alive; fires only if something else does.
setTimeout(() => {
  const handles = process._getActiveHandles().map((h) => {
    const name = h?.constructor?.name ?? typeof h;
    if (name === 'ChildProcess') return 'ChildProcess pid=' + h.pid + ' ' + h.spawnargs.join(' ');
    if (name === 'Socket') return 'Socket ' + (h.remoteAddress ?? '') + ':' + (h.remotePort ?? '') + ' fd=' + (h._handle?.fd ?? '?');
    if (name === 'Server') return 'Server ' + JSON.stringify(h.address());
    return name;
  });
  process.stderr.write('STILL ALIVE; active handles: ' + JSON.stringify(handles) +
    '; resources: ' + JSON.stringify(process.getActiveResourcesInfo()) + '\\n');
}, 2500).unref();
`;

describe('process exit after close()', () => {
  it('a process that closed its pool of stdio, HTTP and in-process servers exits by itself', async () => {
    const file = join(dir, 'exit-check.mjs');
    writeFileSync(file, script);
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      stderr += String(d);
    });
    let closedAt = 0;
    const result = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      const poll = setInterval(() => {
        if (!closedAt && stdout.includes('CLOSED')) closedAt = Date.now();
      }, 10);
      const timer = setTimeout(() => {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve({ code: null, timedOut: true });
      }, 12_000);
      child.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        resolve({ code, timedOut: false });
      });
    });
    const report = `stdout:\n${stdout}\nstderr:\n${stderr}`;
    expect(result.timedOut, `the process did not exit by itself\n${report}`).toBe(false);
    expect(result.code, report).toBe(0);
    expect(stdout).toContain('CLOSED child,local,web');
    // It must exit promptly once everything is closed, not after some timer runs out.
    if (closedAt) expect(Date.now() - closedAt, report).toBeLessThan(2_000);
    expect(stderr, report).not.toContain('STILL ALIVE');
  });
});
