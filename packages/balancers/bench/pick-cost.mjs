// The cost of one pick for every strategy of this package at 3, 100 and 10,000
// servers, beside a bare `candidates[i++ % n]` baseline, measured with tinybench
// on the built package (`pnpm build` first). `bench/pick.mjs` prints it as a
// table; apps/bench's report (part 3) runs it with the pool's default added.
import { Bench } from 'tinybench';
import {
  consistentHash,
  leastConnections,
  p2c,
  p2cEwma,
  priority,
  random,
  roundRobin,
  weighted,
} from '../dist/index.js';

export const SIZES = [3, 100, 10_000];

export const BASELINE = 'baseline: c[i++ % n]';

/** [label, create] of every strategy measured, the baseline first. */
export const STRATEGIES = [
  [
    BASELINE,
    () => {
      let i = 0;
      return { name: 'baseline', pick: (candidates) => candidates[i++ % candidates.length] };
    },
  ],
  ['roundRobin', () => roundRobin()],
  ['weighted', () => weighted()],
  ['leastConnections', () => leastConnections()],
  ['priority', () => priority()],
  ['random', () => random()],
  ['p2c', () => p2c()],
  ['p2cEwma', () => p2cEwma()],
  ['consistentHash', () => consistentHash()],
];

function makeServers(n) {
  return Array.from({ length: n }, (_, i) => ({
    id: `server-${i}`,
    name: `server-${i}`,
    weight: 1 + (i % 3),
    priority: i % 4 === 0 ? 1 : 0,
    tags: [],
    state: 'connected',
    healthy: true,
    inFlight: (i * 7) % 11,
    latencyEwmaMs: 10 + (i % 5),
  }));
}

/**
 * Measures every strategy (plus `extra`, placed after the baseline) at every
 * size. Returns, per strategy label, per size, the median and mean ns per
 * pick and the number of samples, and a checksum of the picks (print it, so
 * they cannot be optimised away). `quick` runs a few iterations only.
 */
export async function measurePickCost({ quick = false, extra = [] } = {}) {
  const strategies = [STRATEGIES[0], ...extra, ...STRATEGIES.slice(1)];
  const plain = { method: 'tools/call', params: {}, safe: true };
  // Built ahead so the loop measures picks, not request allocation.
  const keyed = Array.from({ length: 1024 }, (_, i) => ({ ...plain, key: `user-${i}` }));
  let sink = 0;
  const bench = new Bench(
    quick
      ? { iterations: 3, time: 0, warmup: false, throws: true }
      : { iterations: 64, time: 300, warmupTime: 100, warmupIterations: 16, throws: true },
  );
  // A timer reading costs more than a small pick, so each sample is a batch of picks.
  const batches = new Map();
  for (const n of SIZES) {
    const candidates = makeServers(n);
    const batch = Math.max(1, Math.floor((quick ? 10_000 : 100_000) / n));
    for (const [label, create] of strategies) {
      const balancer = create();
      // Give the latency-aware strategies something to chew on.
      for (const server of candidates) {
        balancer.onResult?.({
          server,
          method: 'tools/call',
          request: plain,
          background: false,
          outcome: 'success',
          latencyMs: 5 + (server.inFlight % 4),
        });
      }
      const hashed = label === 'consistentHash';
      let k = 0;
      const name = `${label} @ ${n}`;
      batches.set(name, batch);
      bench.add(name, () => {
        for (let j = 0; j < batch; j++) {
          const picked = balancer.pick(candidates, hashed ? keyed[k++ & 1023] : plain);
          sink += picked.inFlight;
        }
      });
    }
  }
  await bench.run();
  const ns = new Map();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') {
      throw new Error(`${task.name}: ${result.state} ${result.error ?? ''}`);
    }
    const per = batches.get(task.name);
    ns.set(task.name, {
      median: (result.latency.p50 * 1e6) / per,
      mean: (result.latency.mean * 1e6) / per,
      samples: result.latency.samplesCount,
    });
  }
  return {
    strategies: strategies.map(([label]) => label),
    nsPerPick: (label, n) => ns.get(`${label} @ ${n}`),
    checksum: sink,
  };
}
