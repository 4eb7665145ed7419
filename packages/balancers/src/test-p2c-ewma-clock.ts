import type { AttemptOutcome } from '@mcpool/core';
import { type P2cEwmaOptions, p2cEwma } from './p2c-ewma.js';
import { type FakeServer, plain, seeded } from './test-servers.js';

/**
 * A p2cEwma balancer on a fake clock, with starts and results announced as
 * the pool announces them; `answer` runs one request to its end.
 */
export function clockedP2cEwma(options: P2cEwmaOptions = {}, seed = 1) {
  let time = 0;
  const balancer = p2cEwma({ decayMs: 1_000, random: seeded(seed), now: () => time, ...options });
  const env = {
    balancer,
    advance(ms: number) {
      time += ms;
    },
    start(target: FakeServer) {
      target.inFlight++;
      balancer.onStart!(target);
      return time;
    },
    finish(target: FakeServer, startedAt: number, outcome: AttemptOutcome = 'success') {
      target.inFlight--;
      balancer.onResult!({
        server: target,
        method: 'tools/call',
        request: plain,
        background: false,
        outcome,
        latencyMs: time - startedAt,
      });
    },
    /** One request to `target`, answered after `latency` ms. */
    answer(target: FakeServer, latency: number) {
      const started = env.start(target);
      env.advance(latency);
      env.finish(target, started);
    },
  };
  return env;
}
