import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { connectClient, firstText, type TestClient } from './sdk-client.js';
import { type StdioTestServerOptions, stdioServerConfig, TEST_SERVER_ENV } from './stdio-server.js';
import { useCleanups } from './test-rig.js';
import { STANDARD_TOOL_NAMES } from './test-server.js';
import { waitFor } from './wait.js';

describe('stdioServerConfig', () => {
  const cleanups = useCleanups();

  async function connect(options: StdioTestServerOptions): Promise<TestClient> {
    const client = await connectClient(stdioServerConfig(options));
    cleanups.push(() => client.close());
    return client;
  }

  it('describes a node child running the compiled stdio entry', () => {
    const config = stdioServerConfig({ id: 'kid', latencyMs: 5 });
    expect(config.type).toBe('stdio');
    expect(config.command).toBe(process.execPath);
    expect(config.args).toHaveLength(1);
    const entry = config.args[0] ?? '';
    expect(isAbsolute(entry) && entry.endsWith('stdio-main.js') && existsSync(entry)).toBe(true);
    expect(JSON.parse(config.env[TEST_SERVER_ENV] ?? '')).toEqual({ id: 'kid', latencyMs: 5 });
  });

  it('serves the standard tools, applying answerOffset and extraTools from the options', async () => {
    const { client } = await connect({ id: 'kid', answerOffset: 10, extraTools: ['spare'] });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([...STANDARD_TOOL_NAMES, 'spare'].sort());
    const sum = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } });
    expect(firstText(sum)).toBe('13');
    expect(sum.structuredContent).toEqual({ sum: 13 });
    expect(firstText(await client.callTool({ name: 'whoami' }))).toBe('kid');
    const seen: number[] = [];
    await client.callTool({ name: 'progress', arguments: { steps: 2 } }, undefined, {
      onprogress: (progress) => seen.push(progress.progress),
    });
    expect(seen).toEqual([1, 2]);
  });

  it('error mode answers with a JSON-RPC InternalError', async () => {
    const { client } = await connect({ id: 'kid', mode: 'error' });
    const error = await client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(ErrorCode.InternalError);
  });

  it('hang mode makes a call with a short timeout reject', async () => {
    const { client } = await connect({ id: 'kid', mode: 'hang' });
    const error = await client
      .callTool({ name: 'whoami' }, undefined, { timeout: 150 })
      .catch((e: unknown) => e);
    expect((error as McpError).code).toBe(ErrorCode.RequestTimeout);
    // The server still answers everything but tools/call.
    await expect(client.listTools()).resolves.toBeDefined();
  });

  it('garbage mode writes a junk line: the client reports a parse error and the call fails', async () => {
    const observed = await connect({ id: 'kid', mode: 'garbage' });
    await expect(
      observed.client.callTool({ name: 'whoami' }, undefined, { timeout: 300 }),
    ).rejects.toThrow(/timed out/i);
    expect(observed.errors.some((error) => error instanceof SyntaxError)).toBe(true);
  });

  it('crash mode exits the process on the first tools/call', async () => {
    const observed = await connect({ id: 'kid', mode: 'crash' });
    const error = await observed.client.callTool({ name: 'whoami' }).catch((e: unknown) => e);
    expect((error as McpError).code).toBe(ErrorCode.ConnectionClosed);
    expect(observed.closed).toBe(true);
  });

  it('exitAfterMs makes the child die on its own', async () => {
    const observed = await connect({ id: 'kid', exitAfterMs: 300 });
    expect(firstText(await observed.client.callTool({ name: 'whoami' }))).toBe('kid');
    await waitFor(() => observed.closed, { timeoutMs: 3000, message: 'the child to exit' });
  });

  it('latencyMs delays answers', async () => {
    const { client } = await connect({ id: 'kid', latencyMs: 150 });
    const started = performance.now();
    await client.callTool({ name: 'whoami' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});
