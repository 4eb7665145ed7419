import { getEventListeners } from 'node:events';
import { startInProcessServer, waitFor } from '@mcpool/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { describe, expect, it } from 'vitest';
import { MultiServerClient } from '../client/multi-server-client.js';
import { recordRequestIds, sendCancellable } from '../connection/cancellable-requests.js';
import { ServerPool } from '../pool/server-pool.js';
import { useCleanup } from '../testing/index.js';
import { CallScope, CallSignals } from './call.js';

const cleanup = useCleanup();

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A started pool over one in-process server, both closed after the test. */
async function onePool() {
  const server = startInProcessServer({ id: 'a' });
  cleanup(() => server.close());
  const pool = new ServerPool();
  pool.addServer({ id: 'a', transport: server.transport });
  await pool.start({ strict: true });
  cleanup(() => pool.close());
  return { server, pool };
}

describe('CallSignals', () => {
  it('shares one signal among 64 calls, then starts another', () => {
    const signals = new CallSignals();
    const first = signals.acquire();
    const held = [first];
    for (let i = 1; i < 64; i++) held.push(signals.acquire());
    expect(new Set(held.map((g) => g.controller.signal)).size).toBe(1);
    const next = signals.acquire();
    expect(next.controller.signal).not.toBe(first.controller.signal);
    for (const g of [...held, next]) signals.release(g);
  });

  it('lets go of its signal once no call is in flight for a while', async () => {
    const signals = new CallSignals();
    const a = signals.acquire();
    signals.release(a);
    // At once, the next call still shares it...
    const b = signals.acquire();
    expect(b).toBe(a);
    signals.release(b);
    // ...but after 100 ms at rest a new one is made.
    await wait(150);
    const c = signals.acquire();
    expect(c).not.toBe(a);
    signals.release(c);
    signals.abort(new Error('done'));
  });

  it('abort() ends the calls in flight and every call after it', () => {
    const signals = new CallSignals();
    const inFlight = signals.acquire();
    const own = new AbortController();
    signals.track(own);
    signals.abort(new Error('client closed'));
    expect(inFlight.controller.signal.aborted).toBe(true);
    expect(own.signal.aborted).toBe(true);
    expect(signals.acquire().controller.signal.reason).toEqual(new Error('client closed'));
    const late = new AbortController();
    signals.track(late);
    expect(late.signal.aborted).toBe(true);
  });
});

describe('CallScope', () => {
  it('a call without a caller signal makes its own only when asked, and that one times out at the deadline', async () => {
    const signals = new CallSignals();
    const scope = new CallScope(signals, undefined, 50, 'tools/call "x"');
    const shared = scope.attemptSignal;
    expect(scope.attemptSignal).toBe(shared);
    const own = scope.signal;
    expect(own).not.toBe(shared);
    expect(scope.attemptSignal).toBe(own);
    await wait(80);
    expect(own.aborted).toBe(true);
    expect((own.reason as { code?: string }).code).toBe('TIMEOUT');
    expect(shared.aborted).toBe(false);
    scope.end();
    signals.abort(new Error('done'));
  });

  it('follows the caller’s signal', () => {
    const signals = new CallSignals();
    const caller = new AbortController();
    const scope = new CallScope(signals, caller.signal, 1_000, 'ping');
    caller.abort(new Error('changed my mind'));
    expect(scope.aborted).toBe(true);
    expect(scope.attemptSignal.reason).toEqual(new Error('changed my mind'));
    scope.end();
  });
});

describe('MultiServerClient.close()', () => {
  it('ends a call in flight that has no signal of its own, and the server hears of it', async () => {
    const { server, pool } = await onePool();
    const client = new MultiServerClient(pool);
    const call = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } });
    const outcome = call.catch((e: unknown) => e);
    await wait(50);
    const started = Date.now();
    await client.close();
    const error = (await outcome) as { code?: string };
    expect(error.code).toBe('POOL_CLOSED');
    expect(Date.now() - started).toBeLessThan(1_000);
    await waitFor(() => server.state.cancelled === 1, { message: 'the server saw the cancel' });
    // The pool stays open for other clients.
    const other = new MultiServerClient(pool);
    expect(await other.ping()).toEqual({});
  });
});

describe('a caller’s signal', () => {
  it('carries no listener of the pool once its call settles, answered, failed or refused', async () => {
    const { pool } = await onePool();
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    const caller = new AbortController();
    const signal = caller.signal;
    const answered = await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }, { signal });
    expect(answered.isError).not.toBe(true);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await client.callTool({ name: 'fail', arguments: {} }, { signal }).catch(() => {});
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await client.callTool({ name: 'no-such-tool', arguments: {} }, { signal }).catch(() => {});
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // While a call is pending it listens, and the same signal still cancels it.
    const slow = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } }, { signal });
    const outcome = slow.catch((e: unknown) => e);
    await waitFor(() => getEventListeners(signal, 'abort').length > 0);
    caller.abort(new Error('stop'));
    expect(await outcome).toBeInstanceOf(Error);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('a controller given for one call', () => {
  it('is the call’s own: its signal is what attempts send with, and the deadline and close() abort it', async () => {
    const signals = new CallSignals();
    const given = new AbortController();
    const scope = new CallScope(signals, undefined, 40, 'tools/call "x"', performance.now(), given);
    expect(scope.attemptSignal).toBe(given.signal);
    expect(scope.signal).toBe(given.signal);
    await wait(70);
    expect((given.signal.reason as { code?: string }).code).toBe('TIMEOUT');
    scope.end();
    const closing = new AbortController();
    const open = new CallScope(signals, undefined, 60_000, 'ping', performance.now(), closing);
    signals.abort(new Error('client closed'));
    expect(closing.signal.reason).toEqual(new Error('client closed'));
    open.end();
  });

  it('refuses what is not an AbortController, naming the option to use instead', async () => {
    const { pool } = await onePool();
    const client = new MultiServerClient(pool);
    const signal = new AbortController().signal as unknown as AbortController;
    await expect(
      client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }, { controller: signal }),
    ).rejects.toThrow(/options\.controller must be an AbortController.*options\.signal/);
    expect(client.getMetrics().failedRequests).toBe(1);
  });

  it('cancels the call when aborted, and is left as it was when the call answers', async () => {
    const { server, pool } = await onePool();
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    const kept = new AbortController();
    await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } }, { controller: kept });
    expect(kept.signal.aborted).toBe(false);
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
    // The same controller serves the next call.
    const slow = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } }, { controller: kept });
    const outcome = slow.catch((e: unknown) => e);
    await waitFor(() => server.state.calls.sleep === 1);
    // Counted on arrival: give the tool a moment to start listening for the cancel.
    await wait(20);
    kept.abort(new Error('stop'));
    expect(await outcome).toBeInstanceOf(Error);
    await waitFor(() => server.state.cancelled === 1, { message: 'the server saw the cancel' });
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
    // A call the SDK client sends itself (with progress) leaves none on it either.
    const steps: number[] = [];
    const again = new AbortController();
    await client.callTool(
      { name: 'progress', arguments: { steps: 2 } },
      { controller: again, onprogress: (p) => steps.push(p.progress) },
    );
    expect(steps).toEqual([1, 2]);
    expect(getEventListeners(again.signal, 'abort')).toHaveLength(0);
  });
});

describe('shared signals and the SDK', () => {
  it('the SDK never gets a shared signal: requests leave no listener on it, and abort cancels the pending one by id', async () => {
    const server = startInProcessServer({ id: 'a' });
    cleanup(() => server.close());
    const transport = await server.transport.create();
    recordRequestIds(transport);
    const client = new Client({ name: 't', version: '0' });
    await client.connect(transport);
    cleanup(() => client.close());
    const signals = new CallSignals();
    const generation = signals.acquire();
    const signal = generation.controller.signal;
    const told: unknown[] = [];
    const call = (name: string, args: Record<string, unknown>) =>
      sendCancellable(
        signal,
        (given) => {
          expect(given).toBeUndefined();
          return client.callTool(
            { name, arguments: args },
            undefined,
            given ? { signal: given } : {},
          );
        },
        (requestId, reason) => {
          told.push(requestId);
          void client.notification({
            method: 'notifications/cancelled',
            params: { requestId, reason: String(reason) },
          });
        },
      );
    for (let i = 0; i < 20; i++) await call('add', { a: i, b: 1 });
    // Only the shared signal's own listener, whatever the traffic.
    expect(getEventListeners(signal, 'abort')).toHaveLength(1);
    const slow = call('sleep', { ms: 5_000 }).catch((e: unknown) => e);
    await wait(20);
    signals.abort(new Error('closing'));
    expect(((await slow) as Error).message).toBe('closing');
    // Ids count from 0 and initialize took one: 20 adds, then the sleep.
    expect(told).toEqual([21]);
    await waitFor(() => server.state.cancelled === 1, { message: 'the server saw the cancel' });
    signals.release(generation);
  });

  it('client.close() sends notifications/cancelled only for the request still in flight', async () => {
    const server = startInProcessServer({ id: 'a' });
    cleanup(() => server.close());
    // Every message the client sends, as the server would receive it.
    const sent: { method?: string; id?: unknown; params?: { requestId?: unknown } }[] = [];
    const pool = new ServerPool();
    pool.addServer({
      id: 'a',
      transport: {
        type: 'custom',
        create: async () => {
          const transport = await server.transport.create();
          const send = transport.send.bind(transport);
          transport.send = (message, options) => {
            sent.push(message as (typeof sent)[number]);
            return send(message, options);
          };
          return transport;
        },
      },
    });
    await pool.start({ strict: true });
    cleanup(() => pool.close());
    const client = new MultiServerClient(pool);
    for (let i = 0; i < 10; i++) await client.callTool({ name: 'add', arguments: { a: i, b: 1 } });
    const slow = client.callTool({ name: 'sleep', arguments: { ms: 5_000 } }).catch((e) => e);
    await waitFor(() =>
      sent.some(
        (m) =>
          m.method === 'tools/call' && sent.indexOf(m) > 0 && JSON.stringify(m).includes('sleep'),
      ),
    );
    await client.close();
    expect(((await slow) as { code?: string }).code).toBe('POOL_CLOSED');
    const sleepId = sent.find(
      (m) => m.method === 'tools/call' && JSON.stringify(m).includes('sleep'),
    )?.id;
    await waitFor(() => sent.some((m) => m.method === 'notifications/cancelled'));
    await wait(50);
    const cancelled = sent.filter((m) => m.method === 'notifications/cancelled');
    expect(cancelled.map((m) => m.params?.requestId)).toEqual([sleepId]);
  });
});
