import { readFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { startHttpServer, stdioServerConfig, waitFor } from '@mcpool/testkit';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { describe, expect, it } from 'vitest';
import { cliPath, connectOver, runCli as run, spawnServe, text } from './test-helpers.js';

const cli = cliPath();
const cleanup = useCleanup();
const tmp = useTempDir('mcpool-cli-');
const configFile = tmp.write;

describe('mcpool --help', () => {
  it('prints the usage of every command', async () => {
    const main = await run(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('mcpool serve');
    expect(main.stdout).toContain('mcpool check');
    const serve = await run(['serve', '--help']);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toContain('--http [HOST:]PORT');
    expect(serve.stdout).toContain('--metrics');
    const check = await run(['check', '-h']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('--timeout');
    const config = await run(['help', 'config']);
    expect(config.code).toBe(0);
    expect(config.stdout).toContain('"mcpServers"');
    const wrong = await run(['frobnicate']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown command "frobnicate"');
    const badFlag = await run(['serve', '--nope']);
    expect(badFlag.code).toBe(2);
  });
});

describe('mcpool check', () => {
  it('names every problem of an invalid configuration with its path and exits 2', async () => {
    const file = await configFile('bad.json', {
      mcpServers: {
        empty: {},
        both: { command: 'x', url: 'http://127.0.0.1:1/mcp' },
        ftp: { url: 'ftp://example.com' },
        ok: { command: 'node', weight: -1 },
      },
      strategy: 'fastest',
      timeouts: { request: 0 },
      retires: { max: 2 },
      fallback: { order: ['ok', 'ghost'] },
    });
    const ran = await run(['check', '--config', file]);
    expect(ran.code).toBe(2);
    for (const path of [
      'mcpServers.empty:',
      'mcpServers.both:',
      'mcpServers.ftp.url:',
      'mcpServers.ok.weight:',
      'strategy: unknown strategy "fastest"',
      'timeouts.request:',
      'retires: unknown option',
      'fallback.order[1]: no server named "ghost"',
    ]) {
      expect(ran.stderr).toContain(path);
    }
    const missing = await run(['check', '--config', tmp.path('none.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
  });

  it('prints a table of servers, health, latency and tools, and no secret', async () => {
    const up = await startHttpServer({ id: 'up', toolNames: ['add', 'echo'] });
    cleanup(up.close);
    const stdio = stdioServerConfig({ id: 'kid', toolNames: ['whoami'] });
    const file = await configFile('check.json', {
      mcpServers: {
        remote: { url: up.url, headers: { authorization: 'Bearer s3cret-header-value' } },
        kid: { command: stdio.command, args: stdio.args, env: stdio.env },
        dead: {
          url: 'http://127.0.0.1:9/mcp?api_key=s3cret-query-value',
          headers: { 'x-api-key': 's3cret-other-value' },
        },
        missing: { command: tmp.path('no-such-binary'), env: { TOKEN: 's3cret-env-value' } },
      },
    });
    const ran = await run(['check', '--config', file, '--timeout', '5000']);
    expect(ran.code).toBe(1);
    const lines = ran.stdout.split('\n');
    expect(lines[0]).toMatch(/^SERVER\s+TRANSPORT\s+HEALTH\s+LATENCY\s+TOOLS$/);
    expect(lines.find((l) => l.startsWith('remote'))).toMatch(
      /^remote\s+http\s+ok\s+\d+\.\d ms\s+2\s+add, echo$/,
    );
    expect(lines.find((l) => l.startsWith('kid'))).toMatch(
      /^kid\s+stdio\s+ok\s+[\d.]+ ms\s+1\s+whoami$/,
    );
    expect(lines.find((l) => l.startsWith('dead '))).toMatch(/^dead\s+http\s+down\s+-\s+-$/);
    expect(lines.find((l) => l.startsWith('missing '))).toMatch(/^missing\s+stdio\s+down/);
    expect(ran.stdout).toContain('2 of 4 servers ok');
    expect(`${ran.stdout}${ran.stderr}`).not.toMatch(/s3cret|127\.0\.0\.1:9|no-such-binary\b.*env/);
    expect(`${ran.stdout}${ran.stderr}`).not.toContain(up.url);

    const json = await run(['check', '--config', file, '--json']);
    const rows = JSON.parse(json.stdout) as {
      server: string;
      status: string;
      era?: string;
      tools: string[];
    }[];
    expect(rows.map((r) => r.era)).toEqual(['legacy', 'legacy', undefined, undefined]);
    expect(rows.map((r) => [r.server, r.status])).toEqual([
      ['remote', 'ok'],
      ['kid', 'ok'],
      ['dead', 'down'],
      ['missing', 'down'],
    ]);
  });
});

describe('mcpool check warnings', () => {
  it('warns of unknown keys in a server entry with the nearest known key, and checks the servers', async () => {
    const up = await startHttpServer({ id: 'up', toolNames: ['add'] });
    cleanup(up.close);
    const file = await configFile('typos.json', {
      mcpServers: { remote: { url: up.url, wieght: 2, protocl: 'legacy', envFile: '.env' } },
    });
    const ran = await run(['check', '--config', file]);
    expect(ran.code).toBe(0);
    expect(ran.stderr).toContain(
      `mcpool: ${file}: warning: mcpServers.remote.wieght: unknown key "wieght" is ignored; did you mean "weight"?`,
    );
    expect(ran.stderr).toContain(
      'warning: mcpServers.remote.protocl: unknown key "protocl" is ignored; did you mean "protocol"?',
    );
    expect(ran.stderr).toContain('warning: mcpServers.remote.envFile: unknown key "envFile"');
    expect(ran.stdout).toContain('1 of 1 server ok');
  });
});

describe('mcpool serve', () => {
  it('serves a desktop host over stdio', async () => {
    const stdio = stdioServerConfig({ id: 'kid' });
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const file = await configFile('stdio.json', {
      mcpServers: {
        kid: { command: stdio.command, args: stdio.args, env: stdio.env },
        up: { url: up.url },
      },
      strategy: 'round_robin',
    });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [cli, 'serve', '--config', file],
      stderr: 'pipe',
    });
    const host = await connectOver(transport, 'desktop');
    cleanup(() => host.close());
    const tools = (await host.client.listTools()).tools.map((t) => t.name);
    expect(tools).toContain('whoami');
    expect(tools.filter((t) => t === 'whoami')).toHaveLength(1);
    const who = new Set<string>();
    for (let i = 0; i < 4; i++) {
      who.add(text(await host.client.callTool({ name: 'whoami', arguments: {} })));
    }
    expect(who).toEqual(new Set(['kid', 'up']));
    const sampled = await host.client.callTool(
      { name: 'sample', arguments: { prompt: 'p' } },
      undefined,
      {},
    );
    expect(text(sampled)).toBe('desktop sampled: p');
    const pid = transport.pid;
    expect(pid).toBeTypeOf('number');
    await host.close();
    // The gateway exits when its host closes stdin, and its upstream session ends with it.
    await waitFor(() => up.sessionCount() === 0, { message: 'upstream session ended' });
    await waitFor(() => !isAlive(pid as number), { message: 'mcpool exited' });
  });

  it('refuses a short MCPOOL_SESSION_SECRET before serving, and never prints it', async () => {
    const file = await configFile('secret.json', {
      mcpServers: { up: { url: 'http://127.0.0.1:9/mcp' } },
    });
    const ran = await run(['serve', '--config', file, '--http', '127.0.0.1:0'], {
      MCPOOL_SESSION_SECRET: `${'k'.repeat(40)},tooShortSecret`,
    });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain('MCPOOL_SESSION_SECRET: use secrets of at least 32');
    expect(ran.stderr).not.toContain('tooShortSecret');
  });

  it('serves Streamable HTTP with a token, metrics and a log file', async () => {
    const up = await startHttpServer({ id: 'up' });
    cleanup(up.close);
    const log = tmp.path('logs', 'mcpool.log');
    const file = await configFile('http.json', {
      mcpServers: { up: { url: up.url, headers: { authorization: 'Bearer upstream-s3cret' } } },
    });
    const token = 'gateway-token-0123456789';
    const served = await spawnServe(file, { MCPOOL_TOKEN: token }, [
      '--metrics',
      '127.0.0.1:0',
      '--log',
      log,
      '--log-level',
      'debug',
    ]);
    cleanup(served.kill);
    const stderr = served.stderr;
    const url = served.url;
    expect(stderr()).toContain(`serving 1 servers at ${url}`);
    const metricsUrl = /metrics at (\S+)/.exec(stderr())?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const refused = await fetch(url, { method: 'POST', body: '{}' });
    expect(refused.status).toBe(401);

    const transport = new StreamableHTTPClientTransport(new URL(url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const host = await connectOver(transport, 'web');
    expect(text(await host.client.callTool({ name: 'add', arguments: { a: 1, b: 1 } }))).toBe('2');
    expect(up.sessionCount()).toBe(1);

    const metrics = await (await fetch(metricsUrl as string)).text();
    expect(metrics).toMatch(
      /mcp_requests_total\{server="up",method="tools\/call",outcome="success"\} 1/,
    );
    expect(metrics).toMatch(/mcp_client_requests_total\{outcome="success"\} \d+/);

    await host.close();
    served.child.kill('SIGTERM');
    expect(await served.exited()).toBe(0);
    await waitFor(() => up.sessionCount() === 0, { message: 'upstream session ended' });
    const lines = (await readFile(log, 'utf8')).trim().split('\n');
    const entries = lines.map((l) => JSON.parse(l) as { msg: string });
    expect(entries.map((e) => e.msg)).toEqual(
      expect.arrayContaining(['serving over HTTP', 'session open', 'server connected', 'attempt']),
    );
    const all = `${lines.join('\n')}${stderr()}`;
    expect(all).not.toContain('upstream-s3cret');
    expect(all).not.toContain(token);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
