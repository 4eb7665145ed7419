import { startInProcessServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { ServerPool } from '../pool/server-pool.js';
import type { ConfigIssue } from '../spec/errors.js';
import type { ServerConfig } from '../spec/server.js';
import { useCleanup } from '../testing/index.js';
import { serversFromMcpConfig } from './server-config.js';
import { editDistance, nearestKey } from './unknown-keys.js';

const cleanup = useCleanup();

describe('unknown keys in server entries', () => {
  it('finds the nearest known key of a misspelling, and none for a foreign key', () => {
    expect(editDistance('wieght', 'weight')).toBe(1);
    expect(editDistance('protocl', 'protocol')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    const keys = ['command', 'url', 'protocol', 'weight', 'headers', 'maxConnections'];
    expect(nearestKey('protocl', keys)).toBe('protocol');
    expect(nearestKey('wieght', keys)).toBe('weight');
    expect(nearestKey('Header', keys)).toBe('headers');
    expect(nearestKey('maxconnection', keys)).toBe('maxConnections');
    expect(nearestKey('envFile', keys)).toBeUndefined();
    expect(nearestKey('uri', keys)).toBe('url');
  });

  it('warns of each unknown key of an mcpServers entry with its path and nearest key, and reads the rest', () => {
    const warnings: ConfigIssue[] = [];
    const servers = serversFromMcpConfig(
      {
        mcpServers: {
          calc: { url: 'http://127.0.0.1:1/mcp', protocl: 'auto', wieght: 2, weight: 3 },
          files: { command: 'node', args: ['files.js'], protocol: 'auto', envFile: '.env' },
        },
      },
      { onWarning: (w) => warnings.push(w) },
    );
    expect(warnings).toEqual([
      {
        path: 'mcpServers.calc.protocl',
        message: 'unknown key "protocl" is ignored; did you mean "protocol"?',
      },
      {
        path: 'mcpServers.calc.wieght',
        message: 'unknown key "wieght" is ignored; did you mean "weight"?',
      },
      {
        path: 'mcpServers.files.envFile',
        message: expect.stringMatching(/^unknown key "envFile" is ignored \(known: command, /),
      },
    ]);
    expect(servers.map((s) => [s.id, s.protocol, s.weight])).toEqual([
      ['calc', undefined, 3],
      ['files', 'auto', undefined],
    ]);
  });

  it('rejects a protocol that does not exist, naming the ones that do', () => {
    expect(() =>
      serversFromMcpConfig({
        mcpServers: { a: { url: 'http://127.0.0.1:1/mcp', protocol: 'modern' } },
      }),
    ).toThrow(/mcpServers\.a\.protocol: use one of "legacy", "auto", "2026-07-28"/);
  });

  it('sends the warnings to Node’s warning channel when no one else takes them', async () => {
    const heard = new Promise<Error>((resolve) => process.once('warning', resolve));
    serversFromMcpConfig({ mcpServers: { a: { url: 'http://127.0.0.1:1/mcp', wieght: 1 } } });
    const warning = await heard;
    expect(warning.name).toBe('McpoolConfigWarning');
    expect(warning.message).toBe(
      'mcpServers.a.wieght: unknown key "wieght" is ignored; did you mean "weight"?',
    );
  });

  it('warns of unknown keys of a ServerConfig and of its transport as pool:warning', () => {
    const server = startInProcessServer({ id: 'a' });
    cleanup(() => server.close());
    const pool = new ServerPool();
    cleanup(pool);
    const warnings: unknown[] = [];
    pool.on('pool:warning', (w) => warnings.push(w));
    pool.addServer({
      id: 'a',
      transport: server.transport,
      wieght: 2,
      protocl: 'auto',
    } as ServerConfig);
    pool.addServer({
      id: 'b',
      transport: { type: 'streamable-http', url: 'http://127.0.0.1:1/mcp', header: {} },
    } as unknown as ServerConfig);
    expect(warnings).toEqual([
      {
        source: 'config',
        serverId: 'a',
        path: 'server.wieght',
        message: 'unknown key "wieght" is ignored; did you mean "weight"?',
      },
      {
        source: 'config',
        serverId: 'a',
        path: 'server.protocl',
        message: 'unknown key "protocl" is ignored; did you mean "protocol"?',
      },
      {
        source: 'config',
        serverId: 'b',
        path: 'server.transport.header',
        message: 'unknown key "header" is ignored; did you mean "headers"?',
      },
    ]);
  });
});
