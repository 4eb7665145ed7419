import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Client, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import {
  connectEraClient,
  ERA_CLIENT_KINDS,
  type EraClient,
  type EraClientKind,
  eraText,
} from './era-clients.js';
import { TEST_SERVER_ENV } from './stdio-server.js';
import { useCleanups } from './test-rig.js';
import { STANDARD_TOOL_NAMES } from './test-server.js';
import { type V2StdioTestServerOptions, v2StdioServerConfig } from './v2-stdio-server.js';

describe('v2StdioServerConfig', () => {
  const cleanups = useCleanups();

  async function connect(
    kind: EraClientKind,
    options: V2StdioTestServerOptions,
  ): Promise<EraClient> {
    const client = await connectEraClient(kind, v2StdioServerConfig(options));
    cleanups.push(() => client.close().catch(() => {}));
    return client;
  }

  function spawnLog(): { path: string; count(): number } {
    const dir = mkdtempSync(join(tmpdir(), 'mcpool-v2-spawns-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'spawns.log');
    return {
      path,
      count: () =>
        existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0,
    };
  }

  it('describes a node child running the compiled v2 stdio entry', () => {
    const config = v2StdioServerConfig({ id: 'kid', legacy: 'reject' });
    expect(config.type).toBe('stdio');
    expect(config.command).toBe(process.execPath);
    const entry = config.args[0] ?? '';
    expect(isAbsolute(entry) && entry.endsWith('v2-stdio-main.js') && existsSync(entry)).toBe(true);
    expect(JSON.parse(config.env[TEST_SERVER_ENV] ?? '')).toEqual({ id: 'kid', legacy: 'reject' });
  });

  it.each([
    ['v1', 'legacy', 1],
    ['v2-default', 'legacy', 1],
    ['v2-auto', 'modern', 2],
    ['v2-pinned', 'modern', 2],
  ] as const)(
    'serves a %s client in the %s era, from %i process(es)',
    async (kind, era, spawned) => {
      const log = spawnLog();
      const client = await connect(kind, {
        id: 'kid',
        answerOffset: 10,
        extraTools: ['spare'],
        spawnLog: log.path,
      });
      expect(client.era).toBe(era);
      expect((await client.listToolNames()).sort()).toEqual(
        [...STANDARD_TOOL_NAMES, 'spare'].sort(),
      );
      const sum = await client.callTool('add', { a: 1, b: 2 });
      expect(eraText(sum)).toBe('13');
      expect(sum.structuredContent).toEqual({ sum: 13 });
      expect(eraText(await client.callTool('spare'))).toBe('spare');
      // The v2 client's probe (auto, and pinned too) runs on a short-lived sibling process.
      expect(log.count()).toBe(spawned);
    },
  );

  it.each(['v1', 'v2-default'] as const)(
    'with legacy: reject, refuses a %s client with -32022 naming 2026-07-28',
    async (kind) => {
      const error = await connect(kind, { id: 'kid', legacy: 'reject' }).catch((e: unknown) => e);
      expect((error as { code?: unknown }).code).toBe(-32022);
      expect((error as { data?: unknown }).data).toEqual({
        supported: ['2026-07-28'],
        requested: '2025-11-25',
      });
    },
  );

  it.each(['v2-auto', 'v2-pinned'] as const)(
    'with legacy: reject, serves a %s client',
    async (kind) => {
      const client = await connect(kind, { id: 'kid', legacy: 'reject' });
      expect(client.era).toBe('modern');
      expect(eraText(await client.callTool('whoami'))).toBe('kid');
    },
  );

  it.each(ERA_CLIENT_KINDS)('error mode gives a %s client a -32603 error', async (kind) => {
    const client = await connect(kind, { id: 'kid', mode: 'error' });
    const error = await client.callTool('whoami').catch((e: unknown) => e);
    expect((error as { code?: unknown }).code).toBe(-32603);
    expect((error as Error).message).toMatch(/failed on purpose/);
  });

  it('hang mode: a modern call times out with SdkError REQUEST_TIMEOUT, the rest still answers', async () => {
    const client = await connect('v2-pinned', { id: 'kid', mode: 'hang' });
    const error = await client.callTool('whoami', {}, { timeout: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe(SdkErrorCode.RequestTimeout);
    expect(await client.listToolNames()).toContain('whoami');
  });

  it('garbage mode: the modern call gets no answer and times out', async () => {
    const client = await connect('v2-auto', { id: 'kid', mode: 'garbage' });
    const error = await client.callTool('whoami', {}, { timeout: 300 }).catch((e: unknown) => e);
    expect((error as SdkError).code).toBe(SdkErrorCode.RequestTimeout);
  });

  it('crash mode exits the child on the first tools/call: the modern call sees the connection close', async () => {
    const client = await connect('v2-auto', { id: 'kid', mode: 'crash' });
    const error = await client.callTool('whoami').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SdkError);
    expect((error as SdkError).code).toBe(SdkErrorCode.ConnectionClosed);
  });

  it('exitAfterMs makes the child die on its own', async () => {
    const client = await connect('v2-pinned', { id: 'kid', exitAfterMs: 400 });
    expect(eraText(await client.callTool('whoami'))).toBe('kid');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const error = await client.callTool('whoami', {}, { timeout: 2_000 }).catch((e: unknown) => e);
    // Once the transport is gone the v2 client rejects with a plain Error, not an SdkError.
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SdkError);
    expect((error as Error).message).toBe('Not connected');
  });
  describe('a prior verdict', () => {
    it('connect with a prior verdict skips the probe and its process', async () => {
      const log = spawnLog();
      const config = v2StdioServerConfig({ id: 'kid', spawnLog: log.path });
      const transport = () =>
        new StdioClientTransport({
          command: config.command,
          args: config.args,
          env: { ...process.env, ...config.env } as Record<string, string>,
          stderr: 'ignore',
        });
      const first = new Client(
        { name: 'probe', version: '0' },
        { versionNegotiation: { mode: 'auto' } },
      );
      await first.connect(transport());
      cleanups.push(() => first.close());
      const discover = first.getDiscoverResult();
      expect(discover).toBeDefined();
      // The probe's answer is adopted: connect() returns before the session child has started,
      // so count once a request has gone through it.
      await first.callTool({ name: 'whoami' });
      expect(log.count()).toBe(2);
      const second = new Client(
        { name: 'prior', version: '0' },
        { versionNegotiation: { mode: 'auto' } },
      );
      await second.connect(transport(), { prior: { kind: 'modern', discover: discover! } });
      cleanups.push(() => second.close());
      expect(second.getProtocolEra()).toBe('modern');
      await second.callTool({ name: 'whoami' });
      expect(log.count()).toBe(3);
    });
  });
});
