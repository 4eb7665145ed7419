import type { Balancer } from '@mcpool/core';
import { InvalidConfigError } from '@mcpool/core';
import { describe, expect, it } from 'vitest';
import { p2cEwma } from './p2c-ewma.js';
import { clockedP2cEwma } from './test-p2c-ewma-clock.js';
import { type FakeServer, plain, server, servers } from './test-servers.js';

const setup = clockedP2cEwma;

function picks(balancer: Balancer, list: FakeServer[], count: number): Set<string> {
  return new Set(Array.from({ length: count }, () => balancer.pick(list, plain).id));
}

/**
 * A fresh pool of `servers`, `total` calls kept `concurrency` at a time,
 * each answered after its server's latency on a fake clock; returns how many
 * calls each server got.
 */
function coldStart(
  latencies: readonly number[],
  total: number,
  concurrency: number,
  seed: number,
  { maxProbes = 1, announce = true }: { maxProbes?: number; announce?: boolean } = {},
): number[] {
  const env = setup({ decayMs: 10_000, maxProbes }, seed);
  const list = latencies.map((_, i) => server(`s${i}`));
  const calls = latencies.map(() => 0);
  const pending: { at: number; server: number; started: number }[] = [];
  let now = 0;
  let sent = 0;
  const send = () => {
    const picked = env.balancer.pick(list, plain);
    const index = list.indexOf(picked);
    calls[index]!++;
    sent++;
    let started = now;
    if (announce) started = env.start(picked);
    else picked.inFlight++;
    pending.push({ at: now + latencies[index]!, server: index, started });
  };
  while (sent < concurrency) send();
  while (pending.length > 0) {
    pending.sort((a, b) => a.at - b.at);
    const next = pending.shift()!;
    env.advance(next.at - now);
    now = next.at;
    const done = list[next.server]!;
    if (announce) env.finish(done, next.started);
    else {
      done.inFlight--;
      env.balancer.onResult!({
        server: done,
        method: 'tools/call',
        request: plain,
        background: false,
        outcome: 'success',
        latencyMs: now - next.started,
      });
    }
    if (sent < total) send();
  }
  return calls;
}

describe('p2cEwma from a cold start', () => {
  it('sends the slow server no more than its share of the first wave, in every one of 20 runs', () => {
    for (const concurrency of [8, 16]) {
      let worst = 0;
      for (let seed = 1; seed <= 20; seed++) {
        const calls = coldStart([2, 2, 2, 2, 40], 400, concurrency, seed);
        worst = Math.max(worst, calls[4]!);
      }
      // `concurrency` calls leave before any answer, when nothing tells the
      // servers apart: even spreading, ceil(concurrency / 5), is the least a
      // balancer can promise the slow one (2 at 8, 4 at 16); nothing after that.
      expect(worst).toBeLessThanOrEqual(Math.ceil(concurrency / 5));
    }
  });

  it('without probe bounds and age, the same cold start sends the slow server more', () => {
    // The same run with the bound lifted and no starts announced: the old behaviour.
    let worst = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const calls = coldStart([2, 2, 2, 2, 40], 400, 16, seed, {
        maxProbes: 1_000,
        announce: false,
      });
      worst = Math.max(worst, calls[4]!);
    }
    expect(worst).toBeGreaterThan(4);
  });

  it('gives a server that has never answered at most maxProbes requests at once', () => {
    const env = setup({ maxProbes: 2 });
    const known = server('known');
    const fresh = server('fresh');
    const startedKnown = env.start(known);
    env.advance(10);
    env.finish(known, startedKnown);
    const first = env.start(fresh);
    env.start(fresh);
    // Two probes out: the newcomer is passed over even though the known server is busy.
    known.inFlight = 5;
    expect(picks(env.balancer, [known, fresh], 20)).toEqual(new Set(['known']));
    // Its first answer lifts the bound.
    env.advance(1);
    env.finish(fresh, first);
    known.inFlight = 50;
    expect(picks(env.balancer, [known, fresh], 20)).toEqual(new Set(['fresh']));
  });

  it('takes servers in turn when every one drawn is a newcomer at its bound', () => {
    const env = setup();
    const list = servers(3);
    for (const s of list) env.start(s);
    const ids = Array.from({ length: 6 }, () => env.balancer.pick(list, plain).id);
    expect(ids).toEqual(['s0', 's1', 's2', 's0', 's1', 's2']);
  });

  it('past the bound, picks a server that has answered rather than a newcomer at its bound', () => {
    const env = setup();
    const list = servers(5);
    // The first wave: one probe each. Then s3 answers and is the only one free.
    const started = list.map((s) => env.start(s));
    env.advance(2);
    env.finish(list[3]!, started[3]!);
    list[3]!.inFlight = 4;
    // Draws of two newcomers (both at their bound) look further, in turn, and find s3.
    expect(picks(env.balancer, list, 40)).toEqual(new Set(['s3']));
  });

  it('counts the age of the oldest outstanding request as latency', () => {
    const env = setup();
    const a = server('a');
    const b = server('b');
    env.finish(a, env.start(a));
    env.advance(10);
    const bStart = env.start(b);
    env.advance(20);
    env.finish(b, bStart);
    // a answered at once, b in 20 ms: a is cheaper.
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['a']));
    // Now a has had a request out for 50 ms: its latency counts as 50, not ~0
    // (50 × 2 in flight against b's 20 × 1).
    const stuck = env.start(a);
    env.advance(50);
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['b']));
    // Its answer settles the matter: the slow sample becomes the estimate.
    env.finish(a, stuck);
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['b']));
  });

  it('trusts the pool when it counts nothing in flight: a start never answered stops counting', () => {
    const env = setup();
    const a = server('a');
    const b = server('b');
    env.finish(a, env.start(a));
    const bStart = env.start(b);
    env.advance(20);
    env.finish(b, bStart);
    // A start announced but never followed by a result (a caller's slip).
    a.inFlight++;
    env.balancer.onStart!(a);
    env.advance(1_000);
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['b']));
    // The pool says nothing is in flight on a: its old start is forgotten.
    a.inFlight = 0;
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['a']));
    a.inFlight = 1;
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['a']));
  });

  it('drops the outstanding request whose start matches the answer', () => {
    const env = setup();
    const a = server('a');
    const b = server('b', { inFlight: 3 });
    const bStart = env.start(b);
    env.advance(10);
    env.finish(b, bStart);
    env.finish(a, env.start(a));
    const old = env.start(a);
    env.advance(20);
    const recent = env.start(a);
    env.advance(1);
    // The recent one answers in 1 ms; the old one, out for 21 ms, still counts.
    env.finish(a, recent);
    env.advance(10);
    // a: 31 ms × 2 = 62 against b: 10 ms × 4 = 40. Had the old start been
    // dropped instead, a would count 11 ms × 2 = 22 and win.
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['b']));
    env.finish(a, old);
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['a']));
  });

  it('starts a newcomer at the median of known servers, or at newServerRttMs', () => {
    const env = setup();
    const list = servers(3);
    const latencies = [10, 20, 30];
    list.forEach((s, i) => {
      const started = env.start(s);
      env.advance(latencies[i]!);
      env.finish(s, started);
    });
    const newcomer = server('new');
    // Median 20: cheaper than s2 (30), dearer than s0 (10).
    expect(picks(env.balancer, [list[2]!, newcomer], 10)).toEqual(new Set(['new']));
    expect(picks(env.balancer, [list[0]!, newcomer], 10)).toEqual(new Set(['s0']));

    const fixed = setup({ newServerRttMs: 100 });
    const s = server('s');
    const started = fixed.start(s);
    fixed.advance(30);
    fixed.finish(s, started);
    expect(picks(fixed.balancer, [s, server('new')], 10)).toEqual(new Set(['s']));
  });

  it('uses defaultRttMs before any server has answered', () => {
    const env = setup({ defaultRttMs: 5 });
    const busyUnknown = server('unknown', { inFlight: 3 });
    const pooled = server('pooled', { latencyEwmaMs: 12 });
    // unknown: 5 × 4 = 20; pooled (the pool's own figure): 12 × 1.
    expect(picks(env.balancer, [busyUnknown, pooled], 10)).toEqual(new Set(['pooled']));
    busyUnknown.inFlight = 1;
    expect(picks(env.balancer, [busyUnknown, pooled], 10)).toEqual(new Set(['unknown']));
  });

  it('probes a server again after a failure, and after a long silence', () => {
    const env = setup();
    const a = server('a');
    const b = server('b');
    for (const s of [a, b]) env.finish(s, env.start(s));
    // A failure: a is penalised and back under the probe bound.
    env.finish(a, env.start(a), 'server-error');
    env.advance(20_000);
    env.finish(b, env.start(b));
    env.start(a);
    b.inFlight = 100;
    expect(picks(env.balancer, [a, b], 10)).toEqual(new Set(['b']));

    // Silent for three decays: probed as if new.
    const other = setup();
    const c = server('c');
    const d = server('d');
    for (const s of [c, d]) other.finish(s, other.start(s));
    other.advance(3_000);
    other.finish(d, other.start(d));
    other.start(c);
    d.inFlight = 100;
    expect(picks(other.balancer, [c, d], 10)).toEqual(new Set(['d']));
  });

  it('rejects bad cold-start options, naming them', () => {
    expect(() => p2cEwma({ maxProbes: 0 })).toThrow(InvalidConfigError);
    expect(() => p2cEwma({ maxProbes: 1.5 })).toThrow(/maxProbes/);
    expect(() => p2cEwma({ defaultRttMs: -1 })).toThrow(/defaultRttMs/);
    expect(() => p2cEwma({ newServerRttMs: Number.NaN })).toThrow(/newServerRttMs/);
  });
});
