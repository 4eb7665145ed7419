import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useCleanup } from '@mcpool/core/testing';
import { stdioServerConfig, v2StdioServerConfig } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { connectModern } from './test-connect.js';

const cleanup = useCleanup();

function spawnLog(): { path: string; count: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'mcpool-spawns-'));
  cleanup(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'pids');
  return {
    path,
    count: () => {
      try {
        return readFileSync(path, 'utf8').split('\n').filter(Boolean).length;
      } catch {
        return 0;
      }
    },
  };
}

const whoami = { name: 'whoami', arguments: {} };

describe('stdio', () => {
  it('the probe spawns one extra process per connect; with the kept verdict, none', async () => {
    const log = spawnLog();
    const config = v2StdioServerConfig({ id: 'v2s', spawnLog: log.path });
    const first = await connectModern({ ...config, stderr: 'ignore' }, 'auto');
    cleanup(() => first.connection.close());
    expect(first.connection.era).toBe('modern');
    await first.connection.request('tools/call', whoami, {});
    // The probe's sibling process and the connection's own.
    expect(log.count()).toBe(2);
    const verdict = first.connection.verdict;
    for (let i = 0; i < 3; i++) {
      const next = await connectModern({ ...config, stderr: 'ignore' }, 'auto', { prior: verdict });
      cleanup(() => next.connection.close());
      expect(next.connection.era).toBe('modern');
      expect(next.connection.verdict).toEqual(verdict);
      await next.connection.request('tools/call', whoami, {});
    }
    // Three more connections, one process each: the probe ran once for the server.
    expect(log.count()).toBe(5);
  });

  it('auto falls back to initialize for a v1 stdio server', async () => {
    const { connection } = await connectModern(
      { ...stdioServerConfig({ id: 'v1s' }), stderr: 'ignore' },
      'auto',
    );
    cleanup(() => connection.close());
    expect(connection.era).toBe('legacy');
    expect(connection.verdict.kind).toBe('legacy');
    const result = await connection.request('tools/call', whoami, {});
    expect((result as { content: { text: string }[] }).content[0]?.text).toBe('v1s');
  });
});
