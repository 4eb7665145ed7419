import { useCleanup } from '@mcpool/core/testing';
import { waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { consulSource } from './consul-source.js';
import type { Resolution } from './source.js';
import { TestConsul } from './test-consul.js';
import { sourceContract } from './test-contract.js';

sourceContract('consulSource', async (replicas) => {
  const consul = new TestConsul();
  await consul.start();
  const publish = async (next: typeof replicas) =>
    consul.set(
      'mcp',
      next.map((r) => ({ id: r.name, address: r.host, port: r.port })),
    );
  await publish(replicas);
  return {
    source: consulSource({ service: 'mcp', url: consul.url, retryDelay: 20 }),
    publish,
    breakSource: async () => {
      consul.failing = 500;
      consul.set('mcp', consul.services.get('mcp') ?? []);
    },
    repair: async () => {
      consul.failing = undefined;
    },
    close: () => consul.stop(),
  };
});

describe("consulSource against Consul's HTTP API on 127.0.0.1", () => {
  const cleanup = useCleanup();

  async function setup() {
    const consul = new TestConsul();
    await consul.start();
    const controller = new AbortController();
    cleanup(() => consul.stop());
    cleanup(async () => controller.abort());
    return { consul, controller };
  }

  it('follows changes with blocking queries, not polling', async () => {
    const { consul, controller } = await setup();
    consul.set('mcp', [{ id: 'a', address: '127.0.0.2', port: 9000 }]);
    const source = consulSource({ service: 'mcp', url: consul.url, token: 's3cret', wait: '5s' });
    const updates: Resolution[] = [];
    source.watch?.({ update: (r) => updates.push(r), error: () => {} }, controller.signal);
    await waitFor(() => updates.length === 1 && consul.blocked === 1);
    expect(consul.requests.at(-1)).toEqual({
      index: String(consul.index),
      wait: '5s',
      token: 's3cret',
    });
    consul.set('mcp', [
      { id: 'a', address: '127.0.0.2', port: 9000 },
      { id: 'b', address: '127.0.0.3', port: 9000, tags: ['zone-a'] },
    ]);
    await waitFor(() => updates.length === 2);
    expect(updates[1]?.entries.map((e) => e.config)).toEqual([
      {
        id: 'mcp-a',
        name: 'a',
        transport: { type: 'streamable-http', url: 'http://127.0.0.2:9000/mcp' },
      },
      {
        id: 'mcp-b',
        name: 'b',
        transport: { type: 'streamable-http', url: 'http://127.0.0.3:9000/mcp' },
        tags: ['zone-a'],
      },
    ]);
    // Two answers, three requests: the third is blocked, waiting for the next change.
    await waitFor(() => consul.blocked === 1);
    expect(consul.requests).toHaveLength(3);
  });

  it('asks only for passing instances, and starts over when the index goes back', async () => {
    const { consul, controller } = await setup();
    consul.set(
      'mcp',
      [
        { id: 'a', address: '127.0.0.2', port: 9000 },
        { id: 'sick', address: '127.0.0.3', port: 9000, passing: false },
      ],
      500,
    );
    const source = consulSource({ service: 'mcp', url: consul.url });
    const updates: Resolution[] = [];
    source.watch?.({ update: (r) => updates.push(r), error: () => {} }, controller.signal);
    await waitFor(() => updates.length === 1 && consul.blocked === 1);
    expect(updates[0]?.entries).toHaveLength(1);
    // A restored snapshot: the index is lower than what the watch holds.
    consul.set('mcp', [{ id: 'c', address: '127.0.0.4', port: 9000 }], 20);
    await waitFor(() =>
      updates.some((u) => (u.entries[0]?.config as { id: string })?.id === 'mcp-c'),
    );
    await waitFor(() => consul.blocked === 1);
    expect(consul.requests.at(-1)?.index).toBe('20');
  });

  it('reports an error answer with its status and body, then recovers', async () => {
    const { consul, controller } = await setup();
    consul.failing = 500;
    const source = consulSource({ service: 'mcp', url: consul.url, retryDelay: 10 });
    const errors: Error[] = [];
    const updates: Resolution[] = [];
    source.watch?.(
      { update: (r) => updates.push(r), error: (e) => errors.push(e) },
      controller.signal,
    );
    await waitFor(() => errors.length > 0);
    expect(errors[0]?.message).toMatch(
      /consul:mcp failed: .*answered 500 \(rpc error: No cluster leader\)/,
    );
    consul.failing = undefined;
    consul.set('mcp', [{ id: 'a', address: '127.0.0.2', port: 9000 }]);
    await waitFor(() => updates.length > 0, { timeoutMs: 5_000 });
  });

  it('rejects options that cannot work', () => {
    expect(() => consulSource({ service: '', url: 'nope', wait: '30 seconds' })).toThrow(
      /service.*url.*wait/s,
    );
  });
});
