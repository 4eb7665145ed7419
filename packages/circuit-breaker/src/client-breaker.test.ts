import {
  AllServersFailedError,
  MultiServerClient,
  ServerPool,
  UnknownCapabilityError,
} from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { startInProcessServer, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { withClientBreaker } from './client-breaker.js';
import { CircuitOpenError } from './errors.js';

const cleanup = useCleanup();

async function setup() {
  const list = [startInProcessServer({ id: 's1' }), startInProcessServer({ id: 's2' })];
  cleanup(async () => {
    await Promise.all(list.map((s) => s.close()));
  });
  const pool = new ServerPool();
  cleanup(() => pool.close());
  for (const s of list) pool.addServer({ id: s.id, transport: s.transport });
  await pool.start({ strict: true });
  const client = new MultiServerClient(pool, { maxRetries: 1, backoff: { baseMs: 1, maxMs: 2 } });
  let attempts = 0;
  pool.on('attempt', () => attempts++);
  return { list, pool, client, attempts: () => attempts };
}

const echo = { name: 'echo', arguments: { message: 'x' } };

describe('withClientBreaker', () => {
  it('fails every call fast while all servers are down, and closes after a good probe', async () => {
    const { list, client, attempts } = await setup();
    const breaker = withClientBreaker(client, { resetTimeout: 400 });
    cleanup(async () => breaker.dispose());
    const events: string[] = [];
    breaker.on('open', (e) => events.push(`open: ${e.reason}`));
    breaker.on('halfOpen', () => events.push('halfOpen'));
    breaker.on('close', (e) => events.push(`close: ${e.reason}`));

    expect(await client.callTool(echo)).toBeDefined();
    for (const s of list) s.state.mode = 'error';
    for (let i = 0; i < 4; i++) {
      await expect(client.callTool(echo)).rejects.toBeInstanceOf(AllServersFailedError);
    }
    // 4 failures of 5 calls: above 50%, and the volume threshold is reached.
    expect(breaker.getState()).toMatchObject({ state: 'open', stats: { fires: 5, failures: 4 } });
    expect(events).toEqual([
      expect.stringMatching(/^open: 4 of 5 calls failed .*failed on every server/),
    ]);

    const before = attempts();
    for (let i = 0; i < 10; i++) {
      const error = await client.callTool(echo).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(error).toMatchObject({ serverId: undefined, state: 'open' });
      expect((error as Error).message).toMatch(/^The client's circuit breaker is open/);
    }
    expect(attempts()).toBe(before);
    expect(breaker.getState().stats.rejects).toBe(10);

    await waitFor(() => breaker.getState().state === 'half-open', { timeoutMs: 3_000 });
    for (const s of list) s.state.mode = 'ok';
    expect(await client.callTool(echo)).toMatchObject({ content: [{ type: 'text', text: 'x' }] });
    expect(breaker.getState().state).toBe('closed');
    expect(events.slice(1)).toEqual(['halfOpen', 'close: the half-open probe succeeded']);
  });

  it('does not count the caller’s mistakes, and comes off the client on dispose', async () => {
    const { client } = await setup();
    const breaker = withClientBreaker(client, { volumeThreshold: 1 });
    for (let i = 0; i < 5; i++) {
      // Refused before the call starts: never reaches the breaker.
      await expect(client.callTool({ name: 'nope', arguments: {} })).rejects.toBeInstanceOf(
        UnknownCapabilityError,
      );
      await expect(client.readResource({ uri: 'mcpool-test://nowhere/info' })).rejects.toThrow();
      expect((await client.callTool({ name: 'fail', arguments: {} })).isError).toBe(true);
    }
    expect(breaker.getState()).toMatchObject({
      state: 'closed',
      stats: { failures: 0, successes: 10 },
    });
    breaker.dispose();
    expect(breaker.breaker.isShutdown).toBe(true);
    await client.callTool(echo);
    expect(breaker.getState().stats.fires).toBe(10);
  });
});
