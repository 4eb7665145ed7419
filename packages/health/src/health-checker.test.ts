import {
  AllServersFailedError,
  InvalidConfigError,
  MultiServerClient,
  type PoolEvents,
  ServerPool,
} from '@mcpool/core';
import { ManualClock, startPool, type TestServerRef, useCleanup } from '@mcpool/core/testing';
import {
  type HttpTestServer,
  type InProcessTestServer,
  startHttpServer,
  startInProcessServers,
  resultText as text,
  waitFor,
} from '@mcpool/testkit';
import { describe, expect, it } from 'vitest';
import type { HealthEvents } from './events.js';
import { HealthChecker } from './health-checker.js';
import type { HealthCheckerOptions } from './options.js';
import type { ServerHealthStatus } from './status.js';

const cleanup = useCleanup();

function inProcess(count: number): InProcessTestServer[] {
  return startInProcessServers(count, cleanup);
}

async function http(id: string): Promise<HttpTestServer> {
  return cleanup(await startHttpServer({ id }));
}

async function poolWith(
  servers: readonly TestServerRef[],
  options: HealthCheckerOptions,
): Promise<{ pool: ServerPool; checker: HealthChecker }> {
  const checker = new HealthChecker(options);
  const pool = await startPool(servers, { cleanup, plugins: [checker], connectionTimeout: 2_000 });
  return { pool, checker };
}

/** Records pool and checker transitions, in order, as `event id source: reason`. */
function transitions(pool: ServerPool, checker?: HealthChecker): string[] {
  const seen: string[] = [];
  const onUnhealthy = (e: PoolEvents['server:unhealthy'][0]) =>
    seen.push(`pool:unhealthy ${e.serverId} ${e.source}: ${e.reason}`);
  const onHealthy = (e: PoolEvents['server:healthy'][0]) =>
    seen.push(`pool:healthy ${e.serverId}: ${e.reason}`);
  pool.on('server:unhealthy', onUnhealthy);
  pool.on('server:healthy', onHealthy);
  if (checker) {
    checker.on('unhealthy', (e: HealthEvents['unhealthy'][0]) =>
      seen.push(`checker:unhealthy ${e.serverId} ${e.source}: ${e.reason}`),
    );
    checker.on('healthy', (e: HealthEvents['healthy'][0]) =>
      seen.push(`checker:healthy ${e.serverId} ${e.source}: ${e.reason}`),
    );
  }
  return seen;
}

function status(checker: HealthChecker, id: string): ServerHealthStatus {
  const s = checker.getStatus(id);
  if (!s) throw new Error(`no status for ${id}`);
  return s;
}

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
