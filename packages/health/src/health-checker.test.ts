import { AllServersFailedError, MultiServerClient } from '@mcpool/core';
import { resultText as text, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { http, inProcess, poolWith, status, transitions } from './test-setup.js';

describe('passive outlier detection', () => {
  it('ejects a server that errors after 5 faults in a row, keeps serving, and takes it back', async () => {
    const list = inProcess(3);
    const [s1] = list;
    if (!s1) throw new Error('no server');
    const { pool, checker } = await poolWith(list, {
      check: false,
      outlierDetection: { baseEjectionTime: 1_000 },
    });
    const seen = transitions(pool, checker);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    s1.state.mode = 'error';
    for (let i = 0; i < 30; i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
      expect(text(r)).toBe(`m${i}`);
    }
    expect(s1.state.callCount).toBe(5);
    expect(pool.isHealthy('s1')).toBe(false);
    expect(pool.exclusions('s1').outlier).toMatch(
      /ejected as an outlier for 1000 ms \(ejection #1\): 5 consecutive server faults \(last: server-error: .*failed on purpose/,
    );
    expect(seen).toContainEqual(expect.stringMatching(/^pool:unhealthy s1 outlier: ejected/));
    expect(status(checker, 's1')).toMatchObject({ ejected: true, healthy: false, ejections: 1 });
    expect(status(checker, 's2')).toMatchObject({
      ejected: false,
      healthy: true,
      consecutiveFaults: 0,
    });

    // It comes back: after the ejection time it is in selection again and gets traffic.
    s1.state.mode = 'ok';
    await waitFor(() => pool.isHealthy('s1'), { timeoutMs: 3_000, message: 's1 back in' });
    expect(seen).toContainEqual(
      expect.stringMatching(/^checker:healthy s1 outlier: ejection of 1000 ms is over/),
    );
    expect(seen).toContainEqual('pool:healthy s1: outlier: back in selection');
    expect(status(checker, 's1').probation).toBe(true);
    for (let i = 0; i < 6; i++)
      await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(s1.state.callCount).toBeGreaterThan(5);
    expect(status(checker, 's1')).toMatchObject({ probation: false, healthy: true, ejections: 1 });
  });

  it('ejects a hanging and a slow server on timeouts, and puts a failing one straight back out for longer', async () => {
    const list = inProcess(4);
    const [s1, s2] = list;
    if (!s1 || !s2) throw new Error('no server');
    const { pool, checker } = await poolWith(list, {
      check: false,
      outlierDetection: { baseEjectionTime: 250 },
    });
    const first = new Map<string, string>();
    let mostEjected = 0;
    checker.on('unhealthy', (e) => {
      if (!first.has(e.serverId)) first.set(e.serverId, e.reason);
      mostEjected = Math.max(mostEjected, checker.getStatuses().filter((s) => s.ejected).length);
    });
    const client = new MultiServerClient(pool, {
      attemptTimeout: 80,
      requestTimeout: 5_000,
      backoff: { baseMs: 1, maxMs: 2 },
    });
    s1.state.mode = 'hang';
    s2.state.latencyMs = 500;
    for (let i = 0; i < 80 && !(first.has('s1') && first.has('s2')); i++) {
      const r = await client.callTool({ name: 'echo', arguments: { message: `m${i}` } });
      expect(text(r)).toBe(`m${i}`);
    }
    expect(first.get('s1')).toMatch(
      /\(ejection #1\): 5 consecutive server faults \(last: timeout: /,
    );
    expect(first.get('s2')).toMatch(
      /\(ejection #1\): 5 consecutive server faults \(last: timeout: /,
    );
    expect([...first.keys()].sort()).toEqual(['s1', 's2']);
    // 4 servers, maxEjectionPercent 50: never more than two out at once.
    expect(mostEjected).toBeLessThanOrEqual(2);

    // s2 recovers; s1 still hangs and goes straight back out on its first timeout.
    s2.state.latencyMs = 0;
    await waitFor(() => pool.isHealthy('s1') && pool.isHealthy('s2'), { timeoutMs: 3_000 });
    const hung = s1.state.callCount;
    const ejections = status(checker, 's1').ejections;
    for (let i = 0; i < 12; i++)
      await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(s1.state.callCount).toBe(hung + 1);
    expect(status(checker, 's1').ejections).toBe(ejections + 1);
    expect(pool.exclusions('s1').outlier).toMatch(
      new RegExp(
        `for \\d+ ms \\(ejection #${ejections + 1}\\): failed again right after its last ejection ended \\(timeout`,
      ),
    );
    expect(pool.isHealthy('s2')).toBe(true);
    expect(status(checker, 's2')).toMatchObject({ healthy: true, probation: false });
  });

  it('ejects a server that died after one refused connection, and uses it again after it restarts', async () => {
    const a = await http('a');
    const b = await http('b');
    const { pool, checker } = await poolWith([a, b], {
      check: false,
      outlierDetection: { baseEjectionTime: 200 },
    });
    const seen = transitions(pool, checker);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    await a.kill();
    for (let i = 0; i < 10; i++) {
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('b');
    }
    expect(seen).toContainEqual(
      expect.stringMatching(
        /^checker:unhealthy a outlier: .*connection refused \(server-error: fetch failed/,
      ),
    );
    await a.restart();
    const answered = new Set<string>();
    await waitFor(
      async () => {
        answered.add(text(await client.callTool({ name: 'whoami', arguments: {} })));
        return answered.has('a');
      },
      { timeoutMs: 5_000, message: 'a answers again' },
    );
    expect(pool.isHealthy('a')).toBe(true);
    expect(status(checker, 'a').ejections).toBeGreaterThanOrEqual(1);
  });

  it('never makes a server sick for isError results or invalid params', async () => {
    const list = inProcess(2);
    const { pool, checker } = await poolWith(list, {
      check: false,
      outlierDetection: { consecutiveErrors: 2 },
    });
    const seen = transitions(pool, checker);
    const client = new MultiServerClient(pool);
    const outcomes = new Set<string>();
    pool.on('attempt', (r) => outcomes.add(r.outcome));
    for (let i = 0; i < 10; i++) {
      const r = await client.callTool({ name: 'fail', arguments: {} });
      expect(r.isError).toBe(true);
      await client.callTool({ name: 'add', arguments: { a: 'x' } }).catch((e: unknown) => e);
      await client.readResource({ uri: 'mcpool-test://nowhere/info' }).catch((e: unknown) => e);
    }
    expect(outcomes.has('server-error')).toBe(false);
    expect(outcomes.has('rejected')).toBe(true);
    expect(seen).toEqual([]);
    for (const s of checker.getStatuses()) {
      expect(s).toMatchObject({ healthy: true, consecutiveFaults: 0, ejections: 0 });
    }
    expect(pool.getMetrics().healthyServers).toBe(2);
  });

  it('never ejects more than maxEjectionPercent of the pool (but at least one server)', async () => {
    const list = inProcess(3);
    const { pool, checker } = await poolWith(list, {
      check: false,
      outlierDetection: { consecutiveErrors: 2, baseEjectionTime: 10_000 },
    });
    const skipped: string[] = [];
    checker.on('ejection:skipped', (e) => skipped.push(`${e.serverId} ${e.ejected}/${e.max}`));
    const client = new MultiServerClient(pool, { maxRetries: 0 });
    for (const s of list) s.state.mode = 'error';
    for (let i = 0; i < 12; i++) {
      await client.callTool({ name: 'echo', arguments: { message: 'x' } }).catch(() => {});
    }
    expect(checker.getStatuses().filter((s) => s.ejected)).toHaveLength(1);
    expect(pool.getMetrics().healthyServers).toBe(2);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped[0]).toMatch(/ 1\/1$/);
  });
});

describe('panic mode', () => {
  it('still sends calls when every server is ejected, and they succeed on one that answers', async () => {
    const list = inProcess(3);
    const [, s2] = list;
    if (!s2) throw new Error('no server');
    const { pool, checker } = await poolWith(list, {
      check: false,
      outlierDetection: { consecutiveErrors: 1, baseEjectionTime: 30_000, maxEjectionPercent: 100 },
    });
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    const panics: string[][] = [];
    pool.on('pool:panic', (e) => panics.push([...e.servers]));
    for (const s of list) s.state.mode = 'error';
    const error = await client
      .callTool({ name: 'echo', arguments: { message: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AllServersFailedError);
    expect(checker.getStatuses().every((s) => s.ejected)).toBe(true);
    expect(pool.getMetrics().healthyServers).toBe(0);

    s2.state.mode = 'ok';
    const before = s2.state.callCount;
    for (let i = 0; i < 3; i++) {
      expect(text(await client.callTool({ name: 'echo', arguments: { message: `p${i}` } }))).toBe(
        `p${i}`,
      );
    }
    expect(s2.state.callCount).toBe(before + 3);
    expect(panics.length).toBeGreaterThanOrEqual(3);
    expect(panics.at(-1)?.sort()).toEqual(['s1', 's2', 's3']);
    // Answers in panic mode do not end an ejection early: the timer does.
    expect(status(checker, 's2').ejected).toBe(true);
  });

  it('still serves when active checks fail on every server', async () => {
    const list = inProcess(2);
    const { pool } = await poolWith(list, {
      interval: 20,
      jitter: 0,
      maxFailures: 1,
      check: async () => {
        throw new Error('check says no');
      },
    });
    await waitFor(() => pool.getMetrics().healthyServers === 0, { timeoutMs: 2_000 });
    expect(pool.exclusions('s1').health).toMatch(
      /1 consecutive health checks failed \(last: check says no\)/,
    );
    const client = new MultiServerClient(pool);
    expect(text(await client.callTool({ name: 'echo', arguments: { message: 'still' } }))).toBe(
      'still',
    );
  });
});
