// The cost of one pick for every strategy of this package at 3, 100, 10,000
// and 100,000 servers, beside a bare `candidates[i++ % n]` baseline, measured
// with tinybench on the built package (`pnpm build` first). `bench/pick.mjs`
// prints it as a table; apps/bench's report (part 3) runs it with the pool's
// default balancer added.
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

export const SIZES = [3, 100, 10_000, 100_000];

/** The size at which the "new array per pick" figures are taken. */
export const FRESH_SIZE = 10_000;

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

const plain = { method: 'tools/call', params: {}, safe: true };
// Built ahead so the loop measures picks, not request allocation.
const keyed = Array.from({ length: 1024 }, (_, i) => ({ ...plain, key: `user-${i}` }));

/**
 * Measures every strategy (plus `extra`, placed after the baseline) at every
 * size, the way a pool that hands out one array per candidate set calls it;
 * and at `FRESH_SIZE` once more with a different array object on every pick
 * (same servers), the way a pool that builds a new list per call does.
 *
 * Returns, per strategy label, per size, the median and mean ns per pick and
 * the number of samples; `fresh(label)` for the second measurement;
 * `firstPickMs(label, n)`, the first pick (which builds a strategy's
 * structure for the set); and a checksum of the picks (print it, so they
 * cannot be optimised away). `quick` runs a few iterations only.
 */
export async function measurePickCost({ quick = false, extra = [] } = {}) {
  const strategies = [STRATEGIES[0], ...extra, ...STRATEGIES.slice(1)];
  let sink = 0;
  const bench = new Bench(
    quick
      ? { iterations: 3, time: 0, warmup: false, throws: true }
      : { iterations: 64, time: 250, warmupTime: 100, warmupIterations: 16, throws: true },
  );
  // A timer reading costs more than a small pick, so each sample is a batch of
  // picks; smaller for new arrays, where a pick is an O(n) compare.
  const batches = new Map();
  const firstPick = new Map();
  const add = (name, balancer, lists, hashed, batch) => {
    batches.set(name, batch);
    let k = 0;
    let l = 0;
    const count = lists.length;
    bench.add(name, () => {
      for (let j = 0; j < batch; j++) {
        const candidates = lists[l];
        l = l + 1 === count ? 0 : l + 1;
        const picked = balancer.pick(candidates, hashed ? keyed[k++ & 1023] : plain);
        sink += picked.inFlight;
      }
    });
  };
  const prepared = (label, create, candidates) => {
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
    const started = performance.now();
    sink += balancer.pick(candidates, hashed ? keyed[0] : plain).inFlight;
    return { balancer, hashed, firstMs: performance.now() - started };
  };
  for (const n of SIZES) {
    const candidates = makeServers(n);
    for (const [label, create] of strategies) {
      const { balancer, hashed, firstMs } = prepared(label, create, candidates);
      firstPick.set(`${label} @ ${n}`, firstMs);
      add(`${label} @ ${n}`, balancer, [candidates], hashed, quick ? 200 : 2_000);
    }
  }
  const servers = makeServers(FRESH_SIZE);
  // Copies made ahead: the loop measures what a strategy does with an array it
  // has not seen, not the copying.
  const copies = Array.from({ length: quick ? 4 : 16 }, () => servers.slice());
  for (const [label, create] of strategies) {
    const { balancer, hashed } = prepared(label, create, servers);
    add(`${label} @ fresh`, balancer, copies, hashed, quick ? 20 : 100);
  }
  await bench.run();
  const ns = new Map();
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== 'completed') {
      throw new Error(`${task.name}: ${result.state} ${result.error ?? ''}`);
    }
    const batch = batches.get(task.name);
    ns.set(task.name, {
      median: (result.latency.p50 * 1e6) / batch,
      mean: (result.latency.mean * 1e6) / batch,
      samples: result.latency.samplesCount,
    });
  }
  return {
    strategies: strategies.map(([label]) => label),
    nsPerPick: (label, n) => ns.get(`${label} @ ${n}`),
    fresh: (label) => ns.get(`${label} @ fresh`),
    firstPickMs: (label, n) => firstPick.get(`${label} @ ${n}`),
    checksum: sink,
  };
}
