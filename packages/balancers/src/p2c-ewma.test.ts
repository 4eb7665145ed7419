import type { AttemptOutcome } from '@mcpool/core';
import { InvalidConfigError } from '@mcpool/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { medianOf, p2cEwma } from './p2c-ewma.js';
import { type FakeServer, plain, seeded, server, servers } from './test-servers.js';

const DECAY = 1_000;

/** A balancer on a fake clock, with helpers to feed it results. */
function setup(seed = 1) {
  let time = 0;
  const balancer = p2cEwma({ decayMs: DECAY, random: seeded(seed), now: () => time });
  return {
    balancer,
    advance(ms: number) {
      time += ms;
    },
    report(target: FakeServer, latencyMs: number, outcome: AttemptOutcome = 'success') {
      balancer.onResult!({
        server: target,
        method: 'tools/call',
        request: { method: 'tools/call', params: undefined, safe: true },
        background: false,
        outcome,
        latencyMs,
      });
    },
  };
}

/**
 * Sends one request every 5 ms for `durationMs`, each answered instantly with
 * the latency `latencyOf` gives its server; returns each server's share of picks.
 */
function drive(
  env: ReturnType<typeof setup>,
  list: FakeServer[],
  durationMs: number,
  latencyOf: (s: FakeServer) => number,
): Map<string, number> {
  const counts = new Map(list.map((s) => [s.id, 0]));
  const steps = durationMs / 5;
  for (let i = 0; i < steps; i++) {
    env.advance(5);
    const picked = env.balancer.pick(list, plain);
    counts.set(picked.id, counts.get(picked.id)! + 1);
    env.report(picked, latencyOf(picked));
  }
  for (const [id, count] of counts) counts.set(id, count / steps);
  return counts;
}

describe('p2cEwma', () => {
  it('shifts traffic away from a slow server, and back once it is fast again', () => {
    const env = setup();
    const list = servers(3);
    let slowLatency = 300;
    const latencyOf = (s: FakeServer) => (s.id === 's2' ? slowLatency : 10);

    drive(env, list, 2_000, latencyOf);
    const slow = drive(env, list, 2_000, latencyOf);
    expect(slow.get('s2')).toBeLessThan(0.05);

    slowLatency = 10;
    // The avoided server is retried once its estimate has faded (ln(30) decay periods).
    drive(env, list, 6 * DECAY, latencyOf);
    const recovered = drive(env, list, 4_000, latencyOf);
    expect(recovered.get('s2')).toBeGreaterThan(0.2);
    expect(recovered.get('s2')).toBeLessThan(0.45);
  });

  it('keeps avoiding a server that is still slow when it is retried', () => {
    const env = setup(5);
    const list = servers(3);
    const latencyOf = (s: FakeServer) => (s.id === 's2' ? 300 : 10);
    drive(env, list, 2_000, latencyOf);
    const shares = drive(env, list, 20 * DECAY, latencyOf);
    // It is probed now and then as its estimate fades, but carries little traffic.
    expect(shares.get('s2')).toBeGreaterThan(0);
    expect(shares.get('s2')).toBeLessThan(0.05);
  });

  it('jumps to a latency peak at once and lets it fade with time', () => {
    const env = setup();
    const a = server('a');
    const b = server('b');
    env.report(a, 10);
    env.report(b, 20);
    expect(env.balancer.pick([a, b], plain)).toBe(a);
    env.report(a, 100);
    expect(env.balancer.pick([a, b], plain)).toBe(b);
    // a's peak fades to 100 × e^-3 ≈ 5 while a fresh sample holds b at 20.
    env.advance(3 * DECAY);
    env.report(b, 20);
    expect(env.balancer.pick([a, b], plain)).toBe(a);
  });

  it('multiplies latency by in-flight load', () => {
    const env = setup();
    const a = server('a', { inFlight: 4 });
    const b = server('b', { inFlight: 0 });
    env.report(a, 10);
    env.report(b, 40);
    // a: 10 × 5 = 50, b: 40 × 1 = 40.
    expect(env.balancer.pick([a, b], plain)).toBe(b);
    a.inFlight = 2;
    expect(env.balancer.pick([a, b], plain)).toBe(a);
  });

  it('still weighs in-flight load when latencies are near zero', () => {
    const env = setup();
    const busy = server('busy', { inFlight: 50 });
    const idle = server('idle', { inFlight: 0 });
    env.report(busy, 0);
    env.report(idle, 0.0001);
    expect(env.balancer.pick([busy, idle], plain)).toBe(idle);
  });

  it('penalises fast failures, and ignores aborted attempts', () => {
    const env = setup();
    const ok = server('ok');
    const failing = server('failing');
    env.report(ok, 20);
    env.report(failing, 10);
    expect(env.balancer.pick([ok, failing], plain)).toBe(failing);
    env.report(failing, 1, 'server-error');
    expect(env.balancer.pick([ok, failing], plain)).toBe(ok);

    const other = setup();
    other.report(ok, 20);
    other.report(failing, 10);
    other.report(failing, 5_000, 'aborted');
    expect(other.balancer.pick([ok, failing], plain)).toBe(failing);
  });

  it('uses a fixed failure penalty when one is given', () => {
    const balancer = p2cEwma({ failurePenaltyMs: 15, now: () => 0, random: seeded(1) });
    const ok = server('ok');
    const failing = server('failing');
    const report = (s: FakeServer, latencyMs: number, outcome: AttemptOutcome = 'success') =>
      balancer.onResult!({
        server: s,
        method: 'm',
        request: plain,
        background: false,
        outcome,
        latencyMs,
      });
    report(ok, 20);
    report(failing, 1, 'timeout');
    // Penalised to 15 only, still cheaper than 20.
    expect(balancer.pick([ok, failing], plain)).toBe(failing);
  });

  it('counts a server without samples at the pool figure, else the median of known servers', () => {
    const env = setup();
    const fast = server('fast');
    const slow = server('slow');
    const unknown = server('unknown');
    env.report(fast, 10);
    env.report(slow, 1_000);
    // Median of 10 and 1000 is 505.
    expect(env.balancer.pick([fast, unknown], plain)).toBe(fast);
    expect(env.balancer.pick([slow, unknown], plain)).toBe(unknown);
    const knownToPool = server('pool-known', { latencyEwmaMs: 2_000 });
    expect(env.balancer.pick([slow, knownToPool], plain)).toBe(slow);
  });

  it('forgets a removed server', () => {
    const env = setup();
    const a = server('a');
    const b = server('b');
    env.report(a, 1_000);
    env.report(b, 10);
    env.balancer.onRemove!('a');
    env.report(b, 10);
    // a is unknown again: it counts at the median, which is now b's 10 (tie goes to the first draw).
    const picks = new Set(Array.from({ length: 40 }, () => env.balancer.pick([a, b], plain).id));
    expect(picks).toEqual(new Set(['a', 'b']));
  });

  it('rejects a decay that is not a positive number', () => {
    expect(() => p2cEwma({ decayMs: 0 })).toThrow(InvalidConfigError);
    expect(() => p2cEwma({ decayMs: Number.NaN })).toThrow(/decayMs/);
    expect(() => p2cEwma({ failurePenaltyMs: -1 })).toThrow(/failurePenaltyMs/);
  });
});

describe('medianOf', () => {
  it('agrees with sorting', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 })), (values) => {
        const sorted = [...values].sort((x, y) => x - y);
        const n = sorted.length;
        const expected =
          n === 0
            ? undefined
            : n % 2 === 1
              ? sorted[n >> 1]
              : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
        expect(medianOf([...values])).toBe(expected);
      }),
    );
  });
});
