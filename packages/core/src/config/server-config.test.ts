import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../spec/errors.js';
import { serversFromEnv, serversFromMcpConfig, validateServerConfig } from './server-config.js';

describe('configuration helpers', () => {
  it('reads the seed’s MCP_SERVERS list, with optional ids', () => {
    expect(
      serversFromEnv({ MCP_SERVERS: 'http://127.0.0.1:8081/mcp, calc=http://127.0.0.1:8082/mcp' }),
    ).toEqual([
      { id: 'server-1', transport: { type: 'streamable-http', url: 'http://127.0.0.1:8081/mcp' } },
      { id: 'calc', transport: { type: 'streamable-http', url: 'http://127.0.0.1:8082/mcp' } },
    ]);
    expect(serversFromEnv({})).toEqual([]);
  });

  it('names every bad entry of MCP_SERVERS', () => {
    try {
      serversFromEnv({ MCP_SERVERS: 'notaurl,ftp://x' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'MCP_SERVERS[0]',
        'MCP_SERVERS[1]',
      ]);
    }
  });

  it('names a bad list item by its place, as JavaScript writes it', () => {
    const bad = { id: 'a', transport: { type: 'stdio', command: 'x', args: ['ok', 1] } };
    expect(() => validateServerConfig(bad, 'servers[2]')).toThrow(InvalidConfigError);
    try {
      validateServerConfig(bad, 'servers[2]');
    } catch (error) {
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'servers[2].transport.args[1]',
      ]);
    }
  });

  it('reads the mcpServers format of desktop hosts', () => {
    const servers = serversFromMcpConfig(
      JSON.stringify({
        mcpServers: {
          files: { command: 'npx', args: ['-y', 'server-files'], env: { ROOT: '/tmp' } },
          'remote api': { url: 'http://127.0.0.1:9000/mcp' },
          legacy: { url: 'http://127.0.0.1:9001/sse', type: 'sse' },
        },
      }),
    );
    expect(servers).toEqual([
      {
        id: 'files',
        name: 'files',
        transport: {
          type: 'stdio',
          command: 'npx',
          args: ['-y', 'server-files'],
          env: { ROOT: '/tmp' },
          cwd: undefined,
        },
      },
      {
        id: 'remote-api',
        name: 'remote api',
        transport: {
          type: 'streamable-http',
          url: 'http://127.0.0.1:9000/mcp',
          headers: undefined,
        },
      },
      {
        id: 'legacy',
        name: 'legacy',
        transport: { type: 'sse', url: 'http://127.0.0.1:9001/sse', headers: undefined },
      },
    ]);
  });

  it('rejects a broken mcpServers document with the path of the problem', () => {
    expect(() => serversFromMcpConfig('{')).toThrow(/not valid JSON/);
    expect(() => serversFromMcpConfig({ mcpServers: { x: { args: [] } } })).toThrow(
      /mcpServers\.x/,
    );
  });
});
