import {
  AbortedError,
  InvalidConfigError,
  PoolClosedError,
  RequestMayHaveRunError,
  UnknownCapabilityError,
} from '@mcpool/core';
import { useCleanup } from '@mcpool/core/testing';
import { delay } from '@mcpool/testkit';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { BatchClient, type BatchClientOptions } from './batch-client.js';
import type { BatchOperation } from './operation.js';
import { calls, rig, text } from './test-setup.js';

const cleanup = useCleanup();

function batchOf(client: BatchClient['client'], options?: BatchClientOptions): BatchClient {
  const batch = new BatchClient(client, options);
  cleanup(() => batch.close());
  return batch;
}

const echo = (message: string) => ({
  method: 'callTool' as const,
  params: { name: 'echo', arguments: { message } },
});

/** Tracks whether a promise has settled, without changing it. */
function watch<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return { promise, settled: () => done };
}

describe('BatchClient: when a batch is flushed', () => {
  it('flushes as soon as a batch reaches batchSize', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const batch = batchOf(client, { batchSize: 5, flushDelay: 60_000 });
    const results = [1, 2, 3, 4].map((i) => batch.add(echo(`m${i}`)));
    expect(batch.metrics()).toMatchObject({ batches: 0, pending: 4 });
    results.push(batch.add(echo('m5')));
    expect(batch.metrics()).toMatchObject({ batches: 1, pending: 0 });
    const answers = await Promise.all(results);
    expect(answers.map(text)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(calls(servers, 'echo')).toBe(5);
    expect(batch.metrics()).toMatchObject({ operations: 5, executed: 5, averageBatchSize: 5 });
  });

  it('flushes flushDelay after the first operation when the batch stays small', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const batch = batchOf(client, { batchSize: 100, flushDelay: 100 });
    const started = performance.now();
    const first = watch(batch.add(echo('a')));
    await delay(20);
    const second = watch(batch.add(echo('b')));
    await delay(5);
    expect(first.settled()).toBe(false);
    expect(calls(servers, 'echo')).toBe(0);
    const answers = await Promise.all([first.promise, second.promise]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(answers.map(text)).toEqual(['a', 'b']);
    expect(batch.metrics()).toMatchObject({ batches: 1, averageBatchSize: 2 });
  });

  it('flush() runs what is queued now and waits for it', async () => {
    const { client } = await rig(cleanup, 1);
    const batch = batchOf(client, { batchSize: 100, flushDelay: 60_000 });
    const ops = ['x', 'y', 'z'].map((m) => watch(batch.add(echo(m))));
    await batch.flush();
    expect(ops.every((o) => o.settled())).toBe(true);
    expect(batch.metrics()).toMatchObject({ batches: 1, pending: 0 });
    await batch.flush();
    expect(batch.metrics().batches).toBe(1);
  });

  it('close() drains everything queued, then refuses new operations', async () => {
    const { client } = await rig(cleanup, 1, { latencyMs: 20 });
    const batch = new BatchClient(client, { batchSize: 2, flushDelay: 60_000 });
    const ops = ['1', '2', '3'].map((m) => watch(batch.add(echo(m))));
    await batch.close();
    expect(ops.every((o) => o.settled())).toBe(true);
    expect((await Promise.all(ops.map((o) => o.promise))).map(text)).toEqual(['1', '2', '3']);
    await expect(batch.add(echo('late'))).rejects.toBeInstanceOf(PoolClosedError);
    await batch.close();
    expect(batch.metrics()).toMatchObject({ batches: 2, operations: 3 });
  });
});

describe('BatchClient: what each caller gets', () => {
  it('delivers each operation’s error to its own caller only', async () => {
    const { client } = await rig(cleanup, 1, { client: { maxRetries: 0 } });
    const batch = batchOf(client, { batchSize: 6, flushDelay: 60_000 });
    const ok = batch.add(echo('fine'));
    const unknown = batch.add({ method: 'callTool', params: { name: 'nope', arguments: {} } });
    const isError = batch.callTool({ name: 'fail', arguments: {} });
    const read = batch.readResource({ uri: 'mcpool-test://s1/info' });
    const prompt = batch.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    const malformed = batch.add({ method: 'nope', params: {} } as unknown as BatchOperation);
    await expect(malformed).rejects.toBeInstanceOf(InvalidConfigError);
    const last = batch.add(echo('also fine'));
    expect(text(await ok)).toBe('fine');
    await expect(unknown).rejects.toBeInstanceOf(UnknownCapabilityError);
    expect((await isError).isError).toBe(true);
    expect(JSON.stringify((await read).contents)).toContain('s1');
    expect(JSON.stringify((await prompt).messages)).toContain('Hello, Ada');
    expect(text(await last)).toBe('also fine');
    expect(batch.metrics()).toMatchObject({ batches: 1, operations: 6 });
  });

  it('rejects with RequestMayHaveRunError only the caller whose unsafe call failed', async () => {
    const { servers, client } = await rig(cleanup, 1, { client: { maxRetries: 0 }, latencyMs: 10 });
    const batch = batchOf(client, { batchSize: 3, flushDelay: 60_000 });
    const s1 = servers[0];
    if (!s1) throw new Error('no server');
    s1.state.mode = 'error';
    const results = await Promise.allSettled([
      batch.add({ method: 'callTool', params: { name: 'counter', arguments: {} } }),
      batch.readResource({ uri: 'mcpool-test://s1/info' }),
      batch.getPrompt({ name: 'greet', arguments: { name: 'Bo' } }),
    ]);
    expect(results[0]?.status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(RequestMayHaveRunError);
    expect(results.slice(1).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
  });

  it('runs identical safe operations of a batch once and gives each caller its own copy', async () => {
    const { servers, client, pool } = await rig(cleanup, 2);
    const batch = batchOf(client, { batchSize: 9, flushDelay: 60_000 });
    let reads = 0;
    pool.on('attempt', (r) => {
      if (r.method === 'resources/read') reads++;
    });
    const echoes = Array.from({ length: 5 }, () =>
      batch.callTool({ name: 'echo', arguments: { message: 'same' } }),
    );
    const swapped = [
      batch.callTool({ name: 'add', arguments: { a: 1, b: 2 } }),
      batch.callTool({ name: 'add', arguments: { b: 2, a: 1 } }),
    ];
    const readsOf = [1, 2].map(() => batch.readResource({ uri: 'mcpool-test://s1/info' }));
    const answers = await Promise.all(echoes);
    expect(answers.map(text)).toEqual(Array(5).fill('same'));
    expect(new Set(answers).size).toBe(5);
    expect((await Promise.all(swapped)).map(text)).toEqual(['3', '3']);
    await Promise.all(readsOf);
    expect(calls(servers, 'echo')).toBe(1);
    expect(calls(servers, 'add')).toBe(1);
    expect(reads).toBe(1);
    expect(batch.metrics()).toMatchObject({ operations: 9, executed: 3, deduplicated: 6 });
  });

  it('never shares a call that is not safe to repeat: counter runs every time it was added', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const batch = batchOf(client, { batchSize: 4, flushDelay: 60_000 });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => batch.callTool({ name: 'counter', arguments: {} })),
    );
    expect(answers.map(text).sort()).toEqual(['1', '2', '3', '4']);
    expect(calls(servers, 'counter')).toBe(4);
    expect(batch.metrics()).toMatchObject({ executed: 4, deduplicated: 0 });
  });

  it('does not share calls pinned to different servers', async () => {
    const { servers, client } = await rig(cleanup, 2);
    const batch = batchOf(client, { batchSize: 2, flushDelay: 60_000 });
    const [a, b] = await Promise.all([
      batch.callTool({ name: 'whoami', arguments: {} }, { server: 's1' }),
      batch.callTool({ name: 'whoami', arguments: {} }, { server: 's2' }),
    ]);
    expect([text(a), text(b)]).toEqual(['s1', 's2']);
    expect(calls(servers, 'whoami')).toBe(2);
  });

  it('answers a caller who aborts at once, queued or sharing, and runs what others still want', async () => {
    const { servers, client } = await rig(cleanup, 1, { latencyMs: 60 });
    const batch = batchOf(client, { batchSize: 100, flushDelay: 60_000 });
    const early = new AbortController();
    const queued = batch.add({ ...echo('gone'), options: { signal: early.signal } });
    early.abort();
    await expect(queued).rejects.toBeInstanceOf(AbortedError);
    const late = new AbortController();
    const sharing = batch.add({ ...echo('shared'), options: { signal: late.signal } });
    const staying = batch.add(echo('shared'));
    void batch.flush();
    await delay(15);
    late.abort();
    await expect(sharing).rejects.toBeInstanceOf(AbortedError);
    expect(text(await staying)).toBe('shared');
    expect(calls(servers, 'echo')).toBe(1);
    const already = new AbortController();
    already.abort();
    await expect(
      batch.add({ ...echo('x'), options: { signal: already.signal } }),
    ).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('BatchClient: a controller given with an operation', () => {
  it('is listened to like a signal, and never becomes a shared call’s own', async () => {
    const { client } = await rig(cleanup, 1, { latencyMs: 200 });
    const batch = batchOf(client, { batchSize: 100, flushDelay: 60_000 });
    const mine = new AbortController();
    const other = new AbortController();
    // Both share one call; its 50 ms deadline must abort the call's own controller, not theirs.
    const first = batch.add({ ...echo('same'), options: { controller: mine, timeout: 50 } });
    const second = batch.add({ ...echo('same'), options: { controller: other, timeout: 50 } });
    void batch.flush();
    await expect(first).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(second).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(mine.signal.aborted).toBe(false);
    expect(other.signal.aborted).toBe(false);
    const gone = new AbortController();
    const aborted = batch.add({ ...echo('gone'), options: { controller: gone } });
    gone.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('BatchClient: concurrency', () => {
  it('never runs more than `concurrency` calls at once, across batches, spread over the servers', async () => {
    const { servers, client, pool } = await rig(cleanup, 3);
    let inFlight = 0;
    let maxInFlight = 0;
    const detach = pool.use({
      name: 'probe',
      attempt: async (_context, next) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          return await next();
        } finally {
          inFlight--;
        }
      },
    });
    cleanup(() => detach());
    const batch = batchOf(client, { batchSize: 4, flushDelay: 1, concurrency: 3 });
    let sampledMax = 0;
    const sampler = setInterval(() => {
      sampledMax = Math.max(sampledMax, pool.getMetrics().inFlight);
    }, 2);
    cleanup(() => clearInterval(sampler));
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        batch.callTool({ name: 'sleep', arguments: { ms: 30 + i } }),
      ),
    );
    const elapsed = performance.now() - started;
    expect(answers.map(text)).toEqual(Array(12).fill('slept'));
    expect(maxInFlight).toBe(3);
    expect(sampledMax).toBeLessThanOrEqual(3);
    expect(batch.metrics().batches).toBe(3);
    // 12 calls of 30-41 ms, 3 at a time: at least four rounds.
    expect(elapsed).toBeGreaterThanOrEqual(4 * 30 - 5);
    const perServer = servers.map((s) => s.state.calls.sleep ?? 0);
    expect(perServer.reduce((a, b) => a + b, 0)).toBe(12);
    expect(perServer.every((n) => n > 0)).toBe(true);
  });
});

describe('BatchClient: options', () => {
  it('types each result by its method', async () => {
    const { client } = await rig(cleanup, 1);
    const batch = batchOf(client, { flushDelay: 0 });
    const tool = batch.add(echo('t'));
    const read = batch.add({ method: 'readResource', params: { uri: 'mcpool-test://s1/info' } });
    const prompt = batch.add({
      method: 'getPrompt',
      params: { name: 'greet', arguments: { name: 'A' } },
    });
    expectTypeOf(tool).resolves.toEqualTypeOf<Awaited<ReturnType<typeof client.callTool>>>();
    expectTypeOf(read).resolves.toEqualTypeOf<Awaited<ReturnType<typeof client.readResource>>>();
    expectTypeOf(prompt).resolves.toEqualTypeOf<Awaited<ReturnType<typeof client.getPrompt>>>();
    expect(text(await tool)).toBe('t');
    expect((await read).contents).toHaveLength(1);
    expect((await prompt).messages).toHaveLength(1);
  });

  it('runs every operation on its own with dedupe off', async () => {
    const { servers, client } = await rig(cleanup, 1);
    const batch = batchOf(client, { batchSize: 3, flushDelay: 60_000, dedupe: false });
    await Promise.all([1, 2, 3].map(() => batch.add(echo('same'))));
    expect(calls(servers, 'echo')).toBe(3);
    expect(batch.metrics()).toMatchObject({ executed: 3, deduplicated: 0 });
  });

  it('rejects bad options with every problem and its path', async () => {
    const { client } = await rig(cleanup, 1);
    let error: unknown;
    try {
      new BatchClient(client, { batchSize: 0, flushDelay: -1, concurrency: 1.5 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
      'batchSize',
      'flushDelay',
      'concurrency',
    ]);
  });
});
