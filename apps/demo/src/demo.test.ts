import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runDemo } from './main.js';

describe('the demo scenario', () => {
  it('runs once on real server processes and every step does what it claims', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcpool-demo-'));
    const logFile = join(dir, 'app.log');
    const report = await runDemo({ once: true, port: 0, quiet: true, logFile, env: {} });
    const failed = report.steps.filter((s) => !s.ok);
    expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
    expect(report.steps.length).toBeGreaterThanOrEqual(10);
    expect(report.steps.every((s) => !s.skipped)).toBe(true);
    const log = readFileSync(logFile, 'utf8');
    for (const needle of ['Load balancing', 'Health check', 'Failover', 'Fallback']) {
      expect(log, `app.log mentions "${needle}"`).toContain(needle);
    }
    // Every line is one JSON object (pino).
    for (const line of log.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });
});

describe('bad configuration', () => {
  const quiet = {
    once: true,
    port: 0,
    quiet: true,
    logFile: join(mkdtempSync(join(tmpdir(), 'mcpool-demo-')), 'app.log'),
  };

  it('names an unknown strategy and the valid ones', async () => {
    await expect(
      runDemo({ ...quiet, env: { LOAD_BALANCING_STRATEGY: 'fastest-ever' } }),
    ).rejects.toThrow(/LOAD_BALANCING_STRATEGY[\s\S]*round_robin/);
  });

  it('names a malformed MCP_SERVERS entry', async () => {
    await expect(
      runDemo({ ...quiet, env: { MCP_SERVERS: 'http://127.0.0.1:1/mcp,not a url' } }),
    ).rejects.toThrow(/MCP_SERVERS\[1\].*not an http\(s\) URL/);
  });

  it('says which port is in use and what to do', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await expect(runDemo({ ...quiet, port, env: {} })).rejects.toThrow(
        new RegExp(`port ${port} on 127.0.0.1 is in use; pass --port`),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('the command exits 2 with the message, no stack trace', () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    const run = spawnSync(
      process.execPath,
      [main, '--once', '--port', '0', '--log', quiet.logFile],
      {
        env: { ...process.env, LOAD_BALANCING_STRATEGY: 'nope', MCP_SERVERS: '' },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^mcpool-demo: Invalid/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
