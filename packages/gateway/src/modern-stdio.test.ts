// `mcpool serve` over stdio serves the era its client opens: a legacy session for the v1 client
// and the v2 client in default mode, no session for a v2 client in auto mode or pinned to
// 2026-07-28. The upstream is a testkit v1 (legacy) server over HTTP.

import { writeFile } from 'node:fs/promises';
import { useCleanup, useTempDir } from '@mcpool/core/testing';
import { startHttpServer, waitFor } from '@mcpool/testkit';
import { Client as V2Client } from '@modelcontextprotocol/client';
import { StdioClientTransport as V2Stdio } from '@modelcontextprotocol/client/stdio';
import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as V1Stdio } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { cliPath, text } from './test-helpers.js';

const cli = cliPath();
const cleanup = useCleanup();
const tmp = useTempDir('mcpool-modern-stdio-');

async function config(): Promise<string> {
  return (await upstream()).file;
}

async function upstream() {
  const up = await startHttpServer({ id: 'up' });
  cleanup(up.close);
  const file = tmp.path(`${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ mcpServers: { up: { url: up.url } } }));
  return { up, file };
}

type Kind = 'v1' | 'v2-default' | 'v2-auto' | 'v2-pinned';

describe('mcpool serve over stdio, both eras', { timeout: 60_000 }, () => {
  it.each<[Kind, string]>([
    ['v1', 'legacy'],
    ['v2-default', 'legacy'],
    ['v2-auto', 'modern'],
    ['v2-pinned', 'modern'],
  ])('a %s client lists and calls through the pool (%s era)', async (kind, era) => {
    const file = await config();
    const params = { command: process.execPath, args: [cli, 'serve', '--config', file] };
    if (kind === 'v1') {
      const client = new V1Client({ name: kind, version: '0' });
      await client.connect(new V1Stdio({ ...params, stderr: 'ignore' }));
      cleanup(() => client.close());
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('add');
      expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
      return;
    }
    const client = new V2Client(
      { name: kind, version: '0' },
      kind === 'v2-auto'
        ? { versionNegotiation: { mode: 'auto' } }
        : kind === 'v2-pinned'
          ? { versionNegotiation: { mode: { pin: '2026-07-28' } } }
          : {},
    );
    const transport = new V2Stdio({ ...params, stderr: 'ignore' });
    await client.connect(transport);
    cleanup(() => client.close());
    expect(client.getProtocolEra()).toBe(era);
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('add');
    expect(text(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } }))).toBe('5');
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('up');
    const pid = transport.pid as number;
    expect(pid).toBeTypeOf('number');
    await client.close();
    // The gateway exits when its client closes stdin, in either era.
    await waitFor(() => !isAlive(pid) || undefined, { message: 'mcpool exited' });
  });
});

describe('mcpool serve over stdio, modern list changes', { timeout: 60_000 }, () => {
  it('tells a modern client of catalog changes through subscriptions/listen', async () => {
    const { up, file } = await upstream();
    let changed = 0;
    const client = new V2Client(
      { name: 'listener', version: '0' },
      {
        versionNegotiation: { mode: { pin: '2026-07-28' } },
        listChanged: {
          tools: {
            onChanged: () => {
              changed++;
            },
          },
        },
      },
    );
    await client.connect(
      new V2Stdio({
        command: process.execPath,
        args: [cli, 'serve', '--config', file],
        stderr: 'ignore',
      }),
    );
    cleanup(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('fresh');
    up.state.addTool('fresh');
    await waitFor(() => changed > 0 || undefined, {
      message: 'notifications/tools/list_changed over stdio',
      timeoutMs: 20_000,
    });
    const tools = await client.listTools({}, { cacheMode: 'refresh' });
    expect(tools.tools.map((t) => t.name)).toContain('fresh');
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
