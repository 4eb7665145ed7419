import {
  AllServersFailedError,
  type AttemptReport,
  InvalidConfigError,
  MultiServerClient,
  UnsafeAggregationError,
} from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import { fastest } from './fastest.js';
import {
  closeAll,
  isCallerAbort,
  lowestId,
  poolOf,
  testServers,
  text,
  watchCancellations,
} from './test-servers.js';

afterEach(closeAll);

const whoami = { name: 'whoami', arguments: {} };

describe('fastest()', () => {
  it('answers with the fast server and cancels the slow one', async () => {
    const [s1, s2] = testServers([{ latencyMs: 2_000 }, {}]);
    if (!s1 || !s2) throw new Error('servers missing');
    const slow = watchCancellations(s1.transport);
    const pool = await poolOf([{ id: s1.id, transport: slow.transport }, s2]);
    const attempts: AttemptReport[] = [];
    pool.on('attempt', (r) => attempts.push(r));
    const client = new MultiServerClient(pool, { aggregation: fastest() });
    const result = await client.callTool(whoami);
    expect(text(result)).toBe('s2');
    // Both were asked at once; the slow one was cancelled on the wire, not left running.
    expect(s1.state.callCount).toBe(1);
    expect(slow.cancelled).toHaveLength(1);
    // The loser's attempt ends just after the answer is returned: it is not waited for.
    await expect
      .poll(() => Object.fromEntries(attempts.map((r) => [r.server.id, r.outcome])))
      .toEqual({ s1: 'aborted', s2: 'success' });
  });

  it('ignores a failing server while another may still answer', async () => {
    const list = testServers([{ mode: 'error' }, { latencyMs: 30 }, { mode: 'crash' }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: fastest() });
    expect(text(await client.callTool(whoami))).toBe('s2');
  });

  it('throws AllServersFailedError with each cause when every server fails', async () => {
    const list = testServers([{ mode: 'error' }, { mode: 'error' }]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: fastest() });
    const error = (await client.callTool(whoami).catch((e: unknown) => e)) as AllServersFailedError;
    expect(error).toBeInstanceOf(AllServersFailedError);
    expect(error.failures.map((f) => f.serverId).sort()).toEqual(['s1', 's2']);
    expect(error.message).toMatch(/failed on purpose/);
  });

  it('with spread 1, hedges to the next server after hedgeAfterMs', async () => {
    const [s1, s2] = testServers([{ mode: 'hang' }, {}]);
    if (!s1 || !s2) throw new Error('servers missing');
    const hung = watchCancellations(s1.transport);
    const pool = await poolOf([{ id: s1.id, transport: hung.transport }, s2]);
    const client = new MultiServerClient(pool, {
      balancer: lowestId,
      aggregation: fastest({ spread: 1, hedgeAfterMs: 20 }),
    });
    expect(text(await client.callTool(whoami))).toBe('s2');
    expect([s1.state.callCount, s2.state.callCount]).toEqual([1, 1]);
    expect(hung.cancelled).toHaveLength(1);
  });

  it('with spread 1 and no hedging, asks one server only', async () => {
    const list = testServers([{}, {}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, {
      balancer: lowestId,
      aggregation: fastest({ spread: 1 }),
    });
    expect(text(await client.callTool(whoami))).toBe('s1');
    expect(list.map((s) => s.state.callCount)).toEqual([1, 0, 0]);
  });

  it('replaces a failed server with one not yet asked, as a retry', async () => {
    const list = testServers([{ mode: 'error' }, {}, {}]);
    const pool = await poolOf(list);
    const retries: string[] = [];
    pool.on('request:retry', (e) => retries.push(`${e.from}->${e.to}`));
    const client = new MultiServerClient(pool, {
      balancer: lowestId,
      aggregation: fastest({ spread: 1 }),
      retryBudget: false,
    });
    expect(text(await client.callTool(whoami))).toBe('s2');
    expect(retries).toEqual(['s1->s2']);
    expect(list.map((s) => s.state.callCount)).toEqual([1, 1, 0]);
  });

  it('rejects with the caller’s abort and cancels every server', async () => {
    const [s1, s2] = testServers([{ mode: 'hang' }, { mode: 'hang' }]);
    if (!s1 || !s2) throw new Error('servers missing');
    const w1 = watchCancellations(s1.transport);
    const w2 = watchCancellations(s2.transport);
    const pool = await poolOf([
      { id: s1.id, transport: w1.transport },
      { id: s2.id, transport: w2.transport },
    ]);
    const client = new MultiServerClient(pool, { aggregation: fastest() });
    const controller = new AbortController();
    const pending = client.callTool(whoami, { signal: controller.signal });
    await expect.poll(() => s1.state.callCount + s2.state.callCount).toBe(2);
    const reason = new Error('the user gave up');
    controller.abort(reason);
    const error = await pending.catch((e: unknown) => e);
    expect(isCallerAbort(error, reason)).toBe(true);
    expect([w1.cancelled.length, w2.cancelled.length]).toEqual([1, 1]);
  });

  it('is refused by the client for a tool that is not safe to repeat', async () => {
    const list = testServers([{}, {}]);
    const pool = await poolOf(list);
    const client = new MultiServerClient(pool, { aggregation: fastest() });
    await expect(client.callTool({ name: 'counter', arguments: {} })).rejects.toBeInstanceOf(
      UnsafeAggregationError,
    );
    expect(list.map((s) => s.state.callCount)).toEqual([0, 0]);
  });

  it('rejects bad options with every problem and its path', () => {
    try {
      fastest({ spread: 0, hedgeAfterMs: -1 });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'spread',
        'hedgeAfterMs',
      ]);
    }
  });
});
