import { InvalidConfigError, MultiServerClient, ServerPool } from '@mcpool/core';
import { ManualClock } from '@mcpool/core/testing';
import { resultText as text, waitFor } from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import { HealthChecker } from './health-checker.js';
import { cleanup, http, inProcess, poolWith, status, transitions } from './test-setup.js';

describe('active checks', () => {
  it('take a server out after maxFailures failed checks and back after healthyThreshold passed ones', async () => {
    const list = inProcess(2);
    const [s1] = list;
    if (!s1) throw new Error('no server');
    const { pool, checker } = await poolWith(list, {
      interval: 25,
      recoveryTimeout: 25,
      timeout: 200,
      jitter: 0,
      maxFailures: 2,
      healthyThreshold: 2,
      // Modes of the test servers act on tools/call only, so check with one.
      check: (_server, _signal, probe) =>
        probe({
          method: 'tools/call',
          params: { name: 'echo', arguments: { message: 'hc' } },
          safe: true,
        }),
    });
    const seen = transitions(pool, checker);
    const checks: boolean[] = [];
    checker.on('check', (e) => {
      if (e.serverId === 's1') checks.push(e.ok);
    });
    s1.state.mode = 'error';
    await waitFor(() => !pool.isHealthy('s1'), { timeoutMs: 3_000, message: 's1 out' });
    expect(pool.exclusions('s1').health).toMatch(
      /^2 consecutive health checks failed \(last: .*failed on purpose/,
    );
    const out = status(checker, 's1');
    expect(out).toMatchObject({ failingChecks: true, healthy: false, consecutiveFailures: 2 });
    expect(out.lastCheckOk).toBe(false);
    expect(out.lastCheckAt).toBeGreaterThan(0);
    expect(out.lastLatencyMs).toBeGreaterThanOrEqual(0);
    // The checks' own attempts are not counted again as traffic faults.
    expect(out.consecutiveFaults).toBe(0);
    expect(out.ejections).toBe(0);

    s1.state.mode = 'ok';
    await waitFor(() => pool.isHealthy('s1'), { timeoutMs: 3_000, message: 's1 back' });
    const back = status(checker, 's1');
    expect(back).toMatchObject({ failingChecks: false, healthy: true, consecutiveFailures: 0 });
    expect(back.consecutiveSuccesses).toBeGreaterThanOrEqual(2);
    expect(back.latencyEwmaMs).toBeGreaterThan(0);
    expect(seen).toContainEqual(expect.stringMatching(/^pool:unhealthy s1 health: 2 consecutive/));
    expect(seen).toContainEqual('checker:healthy s1 health: 2 consecutive health checks passed');
    expect(seen).toContainEqual('pool:healthy s1: health: back in selection');
    // The run of checks: passes, then at least two failures, then two passes to come back.
    const firstFail = checks.indexOf(false);
    const lastFail = checks.lastIndexOf(false);
    expect(checks.slice(firstFail, lastFail + 1).every((ok) => !ok)).toBe(true);
    expect(lastFail - firstFail).toBeGreaterThanOrEqual(1);
  });

  it('pings a server that died (HTTP) until it is out, and brings it back when it restarts', async () => {
    const a = await http('a');
    const b = await http('b');
    const { pool, checker } = await poolWith([a, b], {
      interval: 30,
      recoveryTimeout: 30,
      timeout: 500,
      jitter: 0,
      maxFailures: 2,
      healthyThreshold: 2,
      outlierDetection: false,
    });
    const seen = transitions(pool, checker);
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    await a.kill();
    await waitFor(() => !pool.isHealthy('a'), { timeoutMs: 3_000, message: 'a out' });
    // Whichever notices first takes it out: the checker's failed pings, or the
    // pool itself when the session's stream is refused.
    expect(seen).toContainEqual(
      expect.stringMatching(
        /^(checker:unhealthy a health: 2 consecutive health checks failed \(last: |pool:unhealthy a connection: )/,
      ),
    );
    for (let i = 0; i < 5; i++) {
      expect(text(await client.callTool({ name: 'whoami', arguments: {} }))).toBe('b');
    }
    await a.restart();
    await waitFor(() => pool.isHealthy('a'), { timeoutMs: 5_000, message: 'a back' });
    expect(text(await client.callTool({ name: 'whoami', arguments: {} }, { server: 'a' }))).toBe(
      'a',
    );
    // It was checked before and after; while the pool itself holds a dead
    // server down (refused connections), the checker leaves it to reconnect.
    // The pool may bring it back before the next ping is due: wait for that ping.
    await waitFor(() => status(checker, 'a').checks >= 2, {
      timeoutMs: 3_000,
      message: 'a checked again after its restart',
    });
  });

  it('checks idle servers at idleInterval and busy ones at interval (manual clock)', async () => {
    const clock = new ManualClock();
    const list = inProcess(2);
    const { pool, checker } = await poolWith(list, {
      interval: 1_000,
      idleInterval: 10_000,
      jitter: 0,
      clock,
    });
    const client = new MultiServerClient(pool);
    await checker.checkNow();
    // Both just joined, so neither is idle yet.
    for (const s of checker.getStatuses()) {
      expect(s.idle).toBe(false);
      expect(s.nextCheckAt).toBe(clock.now() + 1_000);
      expect(s.checks).toBe(1);
      expect(s.lastCheckOk).toBe(true);
    }
    clock.advance(10_000);
    await client.callTool({ name: 'echo', arguments: { message: 'x' } }, { server: 's1' });
    await checker.checkNow();
    expect(status(checker, 's1')).toMatchObject({ idle: false, nextCheckAt: clock.now() + 1_000 });
    expect(status(checker, 's2')).toMatchObject({ idle: true, nextCheckAt: clock.now() + 10_000 });
  });

  it('uses listTools as the check when asked, and rejects bad options with their paths', async () => {
    const list = inProcess(1);
    const { pool, checker } = await poolWith(list, { check: 'listTools', interval: 60_000 });
    const methods: string[] = [];
    pool.on('attempt', (r) => methods.push(r.method));
    const [s] = await checker.checkNow('s1');
    expect(s?.lastCheckOk).toBe(true);
    expect(methods).toEqual(['tools/list']);
    // A check is not traffic.
    expect(s?.lastTrafficAt).toBeUndefined();

    expect(
      () =>
        new HealthChecker({
          interval: -1,
          jitter: 2,
          maxFailures: 0,
          outlierDetection: { maxEjectionPercent: 120 },
        }),
    ).toThrow(InvalidConfigError);
    try {
      new HealthChecker({ interval: -1, jitter: 2, outlierDetection: { maxEjectionPercent: 120 } });
    } catch (error) {
      expect((error as InvalidConfigError).issues.map((i) => i.path)).toEqual([
        'interval',
        'jitter',
        'outlierDetection.maxEjectionPercent',
      ]);
    }
  });
});

describe('lifecycle', () => {
  it('clears every timer on pool close and puts back what it excluded on detach', async () => {
    const clock = new ManualClock();
    const list = inProcess(3);
    const [s1] = list;
    if (!s1) throw new Error('no server');
    const pool = new ServerPool();
    cleanup(() => pool.close());
    for (const s of list) pool.addServer({ id: s.id, transport: s.transport });
    const checker = new HealthChecker({
      interval: 1_000,
      clock,
      outlierDetection: { consecutiveErrors: 1 },
    });
    const detach = pool.use(checker);
    await pool.start();
    expect(clock.pending).toBe(3);
    s1.state.mode = 'error';
    const client = new MultiServerClient(pool, { backoff: { baseMs: 1, maxMs: 2 } });
    while (pool.isHealthy('s1'))
      await client.callTool({ name: 'echo', arguments: { message: 'x' } });
    expect(clock.pending).toBe(4);
    expect(() => pool.use(checker)).toThrow(/already attached/);

    await detach();
    expect(clock.pending).toBe(0);
    expect(pool.isHealthy('s1')).toBe(true);
    expect(checker.getStatuses()).toEqual([]);
    await expect(checker.checkNow()).rejects.toThrow(/not attached/);

    // Attach again, then let the pool close it.
    pool.use(checker);
    expect(clock.pending).toBe(3);
    await pool.close();
    expect(clock.pending).toBe(0);
  });

  it('forgets a removed server and watches an added one', async () => {
    const clock = new ManualClock();
    const list = inProcess(3);
    const [, , s3] = list;
    if (!s3) throw new Error('no server');
    const { pool, checker } = await poolWith(list.slice(0, 2), { interval: 1_000, clock });
    expect(clock.pending).toBe(2);
    await pool.removeServer('s2');
    expect(checker.getStatus('s2')).toBeUndefined();
    expect(clock.pending).toBe(1);
    pool.addServer({ id: s3.id, transport: s3.transport });
    await pool.ready();
    expect(clock.pending).toBe(2);
    const [s] = await checker.checkNow('s3');
    expect(s).toMatchObject({ serverId: 's3', lastCheckOk: true, checks: 1 });
    await expect(checker.checkNow('nope')).rejects.toThrow(/No server with id "nope"/);
  });
});
