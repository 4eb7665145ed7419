import {
  AllServersFailedError,
  InvalidConfigError,
  McpoolError,
  MultiServerClient,
  ServerPool,
} from '@mcpool/core';
import { startPool, useCleanup } from '@mcpool/core/testing';
import {
  type InProcessTestServer,
  startInProcessServers,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breakers.js';
import { CircuitOpenError } from './errors.js';
import type { CircuitBreakersOptions } from './options.js';

const cleanup = useCleanup();

function inProcess(count: number): InProcessTestServer[] {
  return startInProcessServers(count, cleanup);
}

async function poolWith(
  list: readonly InProcessTestServer[],
  options?: CircuitBreakersOptions,
): Promise<{ pool: ServerPool; breakers: CircuitBreakers }> {
  const breakers = new CircuitBreakers(options);
  const pool = await startPool(list, { cleanup, plugins: [breakers] });
  return { pool, breakers };
}

function first<T>(list: readonly T[]): T {
  const [item] = list;
  if (item === undefined) throw new Error('empty list');
  return item;
}

const echo = { name: 'echo', arguments: { message: 'x' } };

describe('CircuitBreakers', () => {
  it('opens after the volume threshold, fails fast without reaching the server, half-opens and closes on a good probe', async () => {
    const list = inProcess(2);
    const s1 = first(list);
    const { pool, breakers } = await poolWith(list, { resetTimeout: 600 });
    const client = new MultiServerClient(pool);
    const events: string[] = [];
    breakers.on('open', (e) => events.push(`open ${e.serverId}: ${e.reason}`));
    breakers.on('halfOpen', (e) => events.push(`halfOpen ${e.serverId}`));
    breakers.on('close', (e) => events.push(`close ${e.serverId}: ${e.reason}`));
    const poolErrors: unknown[] = [];
    pool.on('pool:error', (e) => poolErrors.push(e.error));
    breakers.on('open', () => {
      throw new Error('listener bug');
    });
    s1.state.mode = 'error';

    for (let i = 0; i < 4; i++) {
      await expect(client.callTool(echo, { server: 's1' })).rejects.toBeInstanceOf(
        AllServersFailedError,
      );
    }
    expect(breakers.getState('s1')).toMatchObject({
      state: 'closed',
      stats: { failures: 4, fires: 4 },
    });
    expect(events).toEqual([]);
    await expect(client.callTool(echo, { server: 's1' })).rejects.toBeInstanceOf(
      AllServersFailedError,
    );
    expect(breakers.getState('s1')).toMatchObject({ state: 'open', opens: 1 });
    expect(events).toEqual([
      expect.stringMatching(
        /^open s1: 5 of 5 calls failed in the last 10 s \(last: .*failed on purpose/,
      ),
    ]);
    expect(String(poolErrors[0])).toMatch(/listener bug/);
    expect(pool.isHealthy('s1')).toBe(false);
    expect(pool.exclusions('s1').breaker).toMatch(/^circuit open: 5 of 5 calls failed/);

    // Fails fast: the server sees nothing more.
    const sent = s1.state.callCount;
    expect(sent).toBe(5);
    const error = await client.callTool(echo, { server: 's1' }).catch((e: unknown) => e);
    const cause = (error as AllServersFailedError).failures[0]?.error;
    expect(cause).toBeInstanceOf(CircuitOpenError);
    expect(CircuitOpenError.isInstance(cause)).toBe(true);
    expect(cause).toMatchObject({ code: 'CIRCUIT_OPEN', serverId: 's1', state: 'open' });
    expect((cause as CircuitOpenError).retryAfterMs).toBeLessThanOrEqual(600);
    expect((cause as Error).message).toMatch(
      /server "s1" is open .* failed fast without reaching it/,
    );
    // Unpinned calls go to the other server meanwhile.
    for (let i = 0; i < 4; i++) expect(text(await client.callTool(echo))).toBe('x');
    expect(s1.state.callCount).toBe(sent);
    expect(breakers.getState('s1')?.stats.rejects).toBe(1);

    // Half-open after resetTimeout: back in selection, and one probe closes it.
    await waitFor(() => breakers.getState('s1')?.state === 'half-open', { timeoutMs: 3_000 });
    expect(pool.isHealthy('s1')).toBe(true);
    s1.state.mode = 'ok';
    expect(text(await client.callTool(echo, { server: 's1' }))).toBe('x');
    expect(s1.state.callCount).toBe(sent + 1);
    expect(breakers.getState('s1')).toMatchObject({
      state: 'closed',
      reason: undefined,
      stats: { failures: 0 },
    });
    expect(pool.isHealthy('s1')).toBe(true);
    expect(events.slice(1)).toEqual(['halfOpen s1', 'close s1: the half-open probe succeeded']);
  });

  it('fails over an open server even for a tool that is not safe to repeat, since nothing was sent', async () => {
    const list = inProcess(2);
    const [s1, s2] = list;
    if (!s1 || !s2) throw new Error('no server');
    // Keep the open server in selection so the balancer still picks it.
    const { pool, breakers } = await poolWith(list, { exclude: false });
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    s1.state.mode = 'error';
    for (let i = 0; i < 5; i++) await client.callTool(echo, { server: 's1' }).catch(() => {});
    expect(breakers.getState('s1')?.state).toBe('open');
    expect(pool.isHealthy('s1')).toBe(true);
    const retries: string[] = [];
    pool.on('request:retry', (e) => retries.push(`${e.from}->${e.to}`));
    for (let i = 0; i < 4; i++) {
      const r = await client.callTool({ name: 'counter', arguments: {} });
      expect(text(r)).toBe(String(i + 1));
    }
    expect(client.isSafeTool('counter')).toBe(false);
    expect(s1.state.calls.counter).toBeUndefined();
    expect(s2.state.counter).toBe(4);
    expect(retries).toContain('s1->s2');
  });

  it('never opens for isError results or invalid params', async () => {
    const list = inProcess(1);
    const { pool, breakers } = await poolWith(list, { volumeThreshold: 2 });
    const client = new MultiServerClient(pool);
    for (let i = 0; i < 10; i++) {
      expect((await client.callTool({ name: 'fail', arguments: {} })).isError).toBe(true);
      await client.callTool({ name: 'add', arguments: { a: 'x' } }).catch(() => {});
      await client.readResource({ uri: 'mcpool-test://nowhere/info' }).catch(() => {});
    }
    expect(breakers.getState('s1')).toMatchObject({
      state: 'closed',
      opens: 0,
      stats: { failures: 0, successes: 30, fires: 30 },
    });
  });

  it('opens on timeouts of a hanging server while the pool keeps serving', async () => {
    const list = inProcess(3);
    const s1 = first(list);
    const { pool, breakers } = await poolWith(list);
    const client = new MultiServerClient(pool, {
      attemptTimeout: 60,
      backoff: { baseMs: 1, maxMs: 2 },
    });
    s1.state.mode = 'hang';
    for (let i = 0; i < 20; i++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { message: `m${i}` } }))).toBe(
        `m${i}`,
      );
    }
    expect(breakers.getState('s1')?.state).toBe('open');
    expect(breakers.getState('s1')?.reason).toMatch(/5 of 5 calls failed .*timed out after 60 ms/);
    expect(s1.state.callCount).toBe(5);
    expect(breakers.getStates().map((s) => s.state)).toEqual(['open', 'closed', 'closed']);
  });

  it('does not let an aborted probe close the circuit, but lets an answered one close it', async () => {
    const list = inProcess(1);
    const s1 = first(list);
    const { pool, breakers } = await poolWith(list, { resetTimeout: 250 });
    const client = new MultiServerClient(pool);
    s1.state.mode = 'error';
    for (let i = 0; i < 5; i++) await client.callTool(echo, { server: 's1' }).catch(() => {});
    await waitFor(() => breakers.getState('s1')?.state === 'half-open', { timeoutMs: 3_000 });

    // The probe hangs and the caller gives up: that proves nothing, so the circuit opens again.
    s1.state.mode = 'hang';
    const aborted = await client
      .callTool(echo, { server: 's1', signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e);
    expect(McpoolError.isInstance(aborted) && aborted.code).toBe('ABORTED');
    expect(breakers.getState('s1')).toMatchObject({ state: 'open', opens: 2 });
    expect(breakers.getState('s1')?.reason).toMatch(/^the half-open probe failed: /);

    // A rejected request is an answer: the server is alive, so the probe closes the circuit.
    s1.state.mode = 'ok';
    await waitFor(() => breakers.getState('s1')?.state === 'half-open', { timeoutMs: 3_000 });
    await client
      .readResource({ uri: 'mcpool-test://nowhere/info' }, { server: 's1' })
      .catch(() => {});
    expect(breakers.getState('s1')?.state).toBe('closed');
  });

  it('shuts a server’s breaker down when the server is removed, and all of them on detach', async () => {
    const list = inProcess(3);
    const s1 = first(list);
    const pool = new ServerPool();
    cleanup(() => pool.close());
    for (const s of list) pool.addServer({ id: s.id, transport: s.transport });
    const breakers = new CircuitBreakers();
    const detach = pool.use(breakers);
    await pool.start();
    const client = new MultiServerClient(pool);
    s1.state.mode = 'error';
    for (let i = 0; i < 5; i++) await client.callTool(echo, { server: 's1' }).catch(() => {});
    for (const id of ['s2', 's3']) await client.callTool(echo, { server: id });
    const b1 = breakers.breaker('s1');
    const b2 = breakers.breaker('s2');
    if (!b1 || !b2) throw new Error('no breaker');
    // An open circuit holds a reset timer.
    expect(b1.opened).toBe(true);
    expect(() => pool.use(breakers)).toThrow(/already attached/);

    await pool.removeServer('s1');
    expect(b1.isShutdown).toBe(true);
    expect(breakers.getState('s1')).toBeUndefined();
    expect(breakers.breaker('s1')).toBeUndefined();
    expect(b2.isShutdown).toBe(false);

    s1.state.mode = 'ok';
    pool.exclude('s3', 'breaker', 'pretend open');
    await detach();
    expect(b2.isShutdown).toBe(true);
    expect(breakers.getStates()).toEqual([]);
    // What the breakers excluded is back in selection.
    expect(pool.isHealthy('s3')).toBe(true);
    // Without the plugin, attempts run unguarded.
    expect(text(await client.callTool(echo, { server: 's2' }))).toBe('x');
  });

  it('runs the attempts of a server that left the pool and drains unguarded', async () => {
    const list = inProcess(2);
    const pool = new ServerPool({ reconnect: { baseMs: 20, maxMs: 100 } });
    cleanup(() => pool.close());
    for (const s of list) pool.addServer({ id: s.id, transport: s.transport });
    // A plugin outside the breakers holds attempts back until told.
    let hold: Promise<void> | undefined;
    pool.use({
      name: 'hold',
      wrapAttempt: async (_context, next) => {
        if (hold) await hold;
        return next();
      },
    });
    const breakers = new CircuitBreakers();
    pool.use(breakers);
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool);
    expect(text(await client.callTool(echo, { server: 's2' }))).toBe('x');
    const breaker = breakers.breaker('s2');
    expect(breaker?.stats.fires).toBe(1);

    let release = () => {};
    hold = new Promise((resolve) => {
      release = resolve;
    });
    const held = client.callTool(echo, { server: 's2' });
    const removal = pool.removeServer('s2');
    hold = undefined;
    release();
    expect(text(await held)).toBe('x');
    // It reached the breakers after s2 had left the pool: not fired through s2's circuit.
    expect(breaker?.stats.fires).toBe(1);
    await removal;
    expect(breakers.breaker('s2')).toBeUndefined();
  });

  it('rejects bad options with every problem and its path', () => {
    try {
      new CircuitBreakers({ errorThresholdPercentage: 150, volumeThreshold: -1, resetTimeout: 0 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'errorThresholdPercentage',
        'volumeThreshold',
        'resetTimeout',
      ]);
    }
  });
});

describe('retries in a full outage', () => {
  // Core's RetryBudget defaults: ratio 0.2, minPerSecond 10 over a 10 s window → a floor of 100.
  const RATIO = 0.2;
  const FLOOR = 10 * 10;
  const CALLS = 300;

  async function outage(withBreakers: boolean) {
    const list = inProcess(3);
    const pool = new ServerPool();
    cleanup(() => pool.close());
    for (const s of list) pool.addServer({ id: s.id, transport: s.transport });
    if (withBreakers) pool.use(new CircuitBreakers());
    await pool.start({ strict: true });
    const client = new MultiServerClient(pool, { maxRetries: 3, backoff: { baseMs: 1, maxMs: 2 } });
    let attempts = 0;
    pool.on('attempt', () => attempts++);
    for (const s of list) s.state.mode = 'error';
    const errors: unknown[] = [];
    for (let i = 0; i < CALLS; i++) {
      errors.push(await client.callTool(echo).catch((e: unknown) => e));
    }
    const sent = list.reduce((n, s) => n + s.state.callCount, 0);
    return { attempts, sent, errors, client };
  }

  it('keeps attempts within the retry budget, far below (1 + maxRetries) × calls', async () => {
    const { attempts, sent, errors, client } = await outage(false);
    expect(errors.every((e) => e instanceof AllServersFailedError)).toBe(true);
    expect(attempts).toBeGreaterThan(CALLS);
    expect(attempts).toBeLessThanOrEqual(CALLS * (1 + RATIO) + FLOOR);
    expect(attempts).toBeLessThan(CALLS * 4 * 0.5);
    expect(sent).toBe(attempts);
    expect(client.getMetrics().retries).toBe(attempts - CALLS);
  });

  it('with breakers, the servers see almost none of it and calls fail fast', async () => {
    const { attempts, sent, errors } = await outage(true);
    expect(errors.every((e) => e instanceof AllServersFailedError)).toBe(true);
    const last = errors.at(-1) as AllServersFailedError;
    expect(last.failures.every((f) => f.error instanceof CircuitOpenError)).toBe(true);
    // Each breaker opens at its volume threshold (5); after that nothing reaches the servers.
    expect(sent).toBe(15);
    expect(attempts).toBeLessThanOrEqual(CALLS * (1 + RATIO) + FLOOR);
  });
});
