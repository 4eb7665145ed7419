import { InvalidConfigError } from '@mcpool/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  type AlertMonitor,
  type AlertRule,
  alerts,
  maxErrorRate,
  minHealthyServers,
  prometheusExporter,
} from '../index.js';
import { callOn, onCleanup, runCleanups, startTestPool, testClient } from '../test-pool.js';

afterEach(runCleanups);

function record(monitor: AlertMonitor): { firing: AlertEvent[]; resolved: AlertEvent[] } {
  const seen = { firing: [] as AlertEvent[], resolved: [] as AlertEvent[] };
  monitor.on('alert:firing', (e) => seen.firing.push(e));
  monitor.on('alert:resolved', (e) => seen.resolved.push(e));
  onCleanup(() => monitor.stop());
  return seen;
}

describe('alerts', () => {
  it('minHealthyServers fires once while too few servers are healthy, and resolves once', async () => {
    const { pool } = await startTestPool(['a', 'b']);
    const monitor = alerts(pool, [minHealthyServers(2)], { interval: false });
    const seen = record(monitor);

    expect(monitor.evaluate()).toEqual([]);
    pool.exclude('a', 'health', 'probe failed');
    monitor.evaluate();
    monitor.evaluate();
    expect(seen.firing).toHaveLength(1);
    expect(seen.firing[0]).toMatchObject({
      name: 'minHealthyServers',
      value: 1,
      threshold: 2,
      message: 'Only 1 of 2 servers healthy; at least 2 wanted.',
    });
    expect(monitor.firing()).toHaveLength(1);

    pool.include('a', 'health');
    monitor.evaluate();
    monitor.evaluate();
    expect(seen.firing).toHaveLength(1);
    expect(seen.resolved).toHaveLength(1);
    expect(seen.resolved[0]).toMatchObject({ name: 'minHealthyServers', value: 2, threshold: 2 });
    expect(monitor.firing()).toEqual([]);
  });

  it('maxErrorRate counts server errors over all attempts in the window', async () => {
    const { pool, server } = await startTestPool(['a', 'b']);
    const exporter = prometheusExporter();
    pool.use(exporter);
    const monitor = alerts(exporter, [maxErrorRate(0.05)], { interval: false });
    const seen = record(monitor);
    const client = testClient(pool);

    for (let i = 0; i < 19; i++) await callOn(client, 'a');
    server('b').state.mode = 'error';
    await callOn(client, 'b');
    // 1 of 20 is 5%: at the limit, not above it.
    monitor.evaluate();
    expect(seen.firing).toHaveLength(0);

    await callOn(client, 'b');
    monitor.evaluate();
    monitor.evaluate();
    expect(seen.firing).toHaveLength(1);
    expect(seen.firing[0]?.name).toBe('maxErrorRate');
    expect(seen.firing[0]?.threshold).toBe(0.05);
    expect(seen.firing[0]?.value).toBeCloseTo(2 / 21);
    expect(seen.firing[0]?.message).toBe(
      'Error rate 9.52% over the last 60 s (2 of 21 attempts); limit 5.00%.',
    );

    for (let i = 0; i < 30; i++) await callOn(client, 'a');
    monitor.evaluate();
    monitor.evaluate();
    expect(seen.firing).toHaveLength(1);
    expect(seen.resolved).toHaveLength(1);
    expect(seen.resolved[0]?.value).toBeCloseTo(2 / 51);
    expect(seen.resolved[0]?.since).toBe(seen.firing[0]?.since);
  });

  it('forgets attempts that leave the window', async () => {
    const { pool, server } = await startTestPool(['a']);
    let now = 1_000_000;
    const monitor = alerts(pool, [maxErrorRate(0.5, { windowMs: 10_000, minAttempts: 2 })], {
      interval: false,
      now: () => now,
    });
    const seen = record(monitor);
    const client = testClient(pool, { maxRetries: 0 });
    server('a').state.mode = 'error';
    await callOn(client, 'a');
    monitor.evaluate();
    expect(seen.firing).toHaveLength(0); // one attempt is below minAttempts
    await callOn(client, 'a');
    monitor.evaluate();
    expect(seen.firing).toHaveLength(1);

    now += 5_000;
    monitor.evaluate();
    expect(seen.resolved).toHaveLength(0);
    now += 6_000;
    monitor.evaluate();
    expect(seen.resolved).toHaveLength(1);
    expect(seen.resolved[0]).toMatchObject({ value: 0, at: now, since: 1_000_000 });
  });

  it('runs custom rules and reports a throwing rule or listener as pool:error', async () => {
    const { pool } = await startTestPool(['a', 'b', 'c']);
    const errors: string[] = [];
    pool.on('pool:error', (e) => errors.push(`${e.source}: ${(e.error as Error).message}`));
    const broken: AlertRule = function brokenRule() {
      throw new Error('bad rule');
    };
    const fewServers: AlertRule = ({ pool: m }) =>
      m.totalServers < 4
        ? { name: 'FewServers', value: m.totalServers, threshold: 4, message: 'add servers' }
        : undefined;
    const monitor = alerts(pool, [broken, fewServers], { interval: false });
    const seen = record(monitor);
    monitor.on('alert:firing', () => {
      throw new Error('bad listener');
    });
    monitor.evaluate();
    expect(seen.firing.map((e) => e.name)).toEqual(['FewServers']);
    expect(errors).toEqual([
      'alert rule brokenRule: bad rule',
      'listener of alert:firing: bad listener',
    ]);
    await pool.removeServer('c');
    monitor.evaluate();
    expect(seen.resolved).toHaveLength(0);
    pool.addServer({
      id: 'd',
      transport: { type: 'custom', create: () => Promise.reject(new Error('no')) },
    });
    pool.addServer({
      id: 'e',
      transport: { type: 'custom', create: () => Promise.reject(new Error('no')) },
    });
    monitor.evaluate();
    expect(seen.resolved).toMatchObject([
      { name: 'FewServers', value: 2, threshold: 4, message: 'FewServers resolved.' },
    ]);
  });

  it('evaluates on an unref-ed timer until stopped', async () => {
    const { pool } = await startTestPool(['a']);
    let runs = 0;
    const counting: AlertRule = () => {
      runs++;
      return undefined;
    };
    const monitor = alerts(pool, [counting, minHealthyServers(2)], { interval: 20 });
    const seen = record(monitor);
    await new Promise((r) => setTimeout(r, 120));
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(seen.firing).toHaveLength(1);
    monitor.stop();
    const after = runs;
    await new Promise((r) => setTimeout(r, 80));
    expect(runs).toBe(after);
    expect(pool.listenerCount('attempt')).toBe(0);
  });

  it('needs an attached exporter and valid options', () => {
    expect(() => alerts(prometheusExporter(), [minHealthyServers(1)])).toThrow(InvalidConfigError);
    expect(() => minHealthyServers(-1)).toThrow(InvalidConfigError);
    expect(() => maxErrorRate(5)).toThrow(InvalidConfigError);
    expect(() => maxErrorRate(0.1, { windowMs: 0 })).toThrow(InvalidConfigError);
  });
});
