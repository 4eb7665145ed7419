import { describe, expect, it } from 'vitest';
import { envSource } from './env-source.js';
import { sourceContract } from './test-contract.js';

sourceContract(
  'envSource',
  async (replicas) => {
    const env = {
      MCP_SERVERS: replicas.map((r) => `${r.name}=http://${r.host}:${r.port}/mcp`).join(','),
    };
    return { source: envSource({ env }), close: async () => {} };
  },
  {},
);

describe('envSource', () => {
  it('reads the variable again on each resolution', async () => {
    const env: Record<string, string> = { MCP_SERVERS: 'a=http://127.0.0.1:1/mcp' };
    const source = envSource({ env });
    expect((await source.resolve()).entries.map((e) => (e.config as { id: string }).id)).toEqual([
      'a',
    ]);
    env.MCP_SERVERS = 'a=http://127.0.0.1:1/mcp,b=http://127.0.0.1:2/mcp';
    expect((await source.resolve()).entries).toHaveLength(2);
  });

  it('names a bad URL and where it is', async () => {
    const source = envSource({ env: { MCP_SERVERS: 'a=ftp://x' } });
    await expect(source.resolve()).rejects.toThrow(/MCP_SERVERS\[0\].*not an http\(s\) URL/);
  });
});
