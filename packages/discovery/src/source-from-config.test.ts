import { describe, expect, it } from 'vitest';
import { sourceFromConfig } from './source-from-config.js';

describe('sourceFromConfig', () => {
  it('builds the named source', () => {
    expect(
      sourceFromConfig({ kubernetes: { service: 'mcp-servers', namespace: 'tools' } }).name,
    ).toBe('kubernetes:tools/mcp-servers');
    expect(sourceFromConfig({ dns: { name: 'mcp.local', port: 80 } }).name).toBe('dns:A mcp.local');
    expect(sourceFromConfig({ file: 'servers.json' }, { baseDir: '/etc/mcpool' }).name).toBe(
      'file:/etc/mcpool/servers.json',
    );
  });

  it('names every problem with its path', () => {
    expect(() => sourceFromConfig({})).toThrow(/name one source: dns, kubernetes/);
    expect(() => sourceFromConfig({ dns: {}, consul: {} })).toThrow(/not dns and consul/);
    try {
      sourceFromConfig({ consul: { service: '', wait: 'forever' } });
      expect.unreachable();
    } catch (error) {
      expect((error as { issues: { path: string }[] }).issues.map((i) => i.path)).toEqual([
        'consul.service',
        'consul.wait',
      ]);
    }
  });
});
