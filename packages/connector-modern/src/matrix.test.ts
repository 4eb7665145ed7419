import { ConnectionError, type ProtocolSetting } from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { startHttpServer, startV2HttpServer } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { firstText, modernPool } from './test-pool.js';

const cleanup = useCleanup();

type ServerKind = 'v1' | 'v2 dual-era' | 'v2 modern-only';
type ClientSide = 'legacy connector' | 'modern connector, auto' | 'modern connector, pinned';

async function serve(kind: ServerKind) {
  if (kind === 'v1') return cleanup(await startHttpServer({ id: 'srv' }));
  return cleanup(
    await startV2HttpServer({
      id: 'srv',
      legacy: kind === 'v2 modern-only' ? 'reject' : 'stateless',
    }),
  );
}

const SIDES: Record<ClientSide, { modern: boolean; protocol: ProtocolSetting }> = {
  'legacy connector': { modern: false, protocol: 'legacy' },
  'modern connector, auto': { modern: true, protocol: 'auto' },
  'modern connector, pinned': { modern: true, protocol: '2026-07-28' },
};

/** What the 2026-07-28 compatibility matrix says: the era spoken, or the error and what to set. */
const MATRIX: [ClientSide, ServerKind, 'legacy' | 'modern' | RegExp][] = [
  ['legacy connector', 'v1', 'legacy'],
  ['legacy connector', 'v2 dual-era', 'legacy'],
  ['legacy connector', 'v2 modern-only', /only MCP 2026-07-28.*-32022.*"auto"/],
  ['modern connector, auto', 'v1', 'legacy'],
  ['modern connector, auto', 'v2 dual-era', 'modern'],
  ['modern connector, auto', 'v2 modern-only', 'modern'],
  ['modern connector, pinned', 'v1', /legacy era .*Set protocol: 'auto'/],
  ['modern connector, pinned', 'v2 dual-era', 'modern'],
  ['modern connector, pinned', 'v2 modern-only', 'modern'],
];

describe('the compatibility matrix through the pool', () => {
  it.each(MATRIX)('%s × %s: %s', async (side, kind, expected) => {
    const server = await serve(kind);
    const { modern, protocol } = SIDES[side];
    const started = modernPool(cleanup, [{ id: 'srv', transport: server.transport, protocol }], {
      modern,
    });
    if (expected instanceof RegExp) {
      const error = await started.catch((e: unknown) => e);
      // A strict start names each server's failure: the era mismatch and what to set.
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(expected);
      return;
    }
    const { pool, client } = await started;
    expect(pool.getMetrics().serverMetrics[0]?.era).toBe(expected);
    const sum = await client.callTool({ name: 'add', arguments: { a: 20, b: 22 } });
    expect(firstText(sum)).toBe('42');
    expect((await client.listTools()).map((t) => t.name)).toContain('whoami');
    if (kind !== 'v1') {
      expect(
        (server as Awaited<ReturnType<typeof startV2HttpServer>>).toolCallsByEra()[expected],
      ).toBe(1);
    }
  });
});
