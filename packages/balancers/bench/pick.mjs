// Cost of one pick for every strategy at 3, 100 and 10,000 servers, beside a
// bare `candidates[i++ % n]` baseline. Runs on the built package: `pnpm build` first.
// `--quick` runs a few iterations only, to prove the benchmark works (CI).
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

const quick = process.argv.includes('--quick');
const sizes = [3, 100, 10_000];

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

function baseline() {
  let i = 0;
  return {
    name: 'baseline: c[i++ % n]',
    pick: (candidates) => candidates[i++ % candidates.length],
  };
}

const strategies = [
  ['baseline (c[i++ % n])', baseline],
  ['roundRobin', roundRobin],
  ['weighted', weighted],
  ['leastConnections', leastConnections],
  ['priority', priority],
  ['random', random],
  ['p2c', p2c],
  ['p2cEwma', p2cEwma],
  ['consistentHash', consistentHash],
];

let sink = 0;
const bench = new Bench(
  quick
    ? { iterations: 3, time: 0, warmup: false, throws: true }
    : { iterations: 64, time: 400, warmupTime: 100, warmupIterations: 16, throws: true },
);
/** Picks per task call: a timer reading costs far more than a small pick, so batch them. */
const batches = new Map();

for (const n of sizes) {
  const candidates = makeServers(n);
  const batch = Math.max(1, Math.floor(100_000 / n));
  for (const [label, create] of strategies) {
    const balancer = create();
    // Give the latency-aware strategy something to chew on.
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

const nsPerPick = new Map();
for (const task of bench.tasks) {
  const result = task.result;
  if (result.state !== 'completed') {
    console.error(`${task.name}: ${result.state}`, result.error ?? '');
    process.exit(1);
  }
  nsPerPick.set(task.name, (result.latency.mean * 1e6) / batches.get(task.name));
}

const header = ['strategy', ...sizes.map((n) => `${n.toLocaleString('en-US')} servers`)];
const rows = strategies.map(([label]) => [
  label,
  ...sizes.map((n) => {
    const ns = nsPerPick.get(`${label} @ ${n}`);
    return ns < 1000 ? `${ns.toFixed(1)} ns` : `${(ns / 1000).toFixed(2)} µs`;
  }),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

console.log(
  `Mean cost of one pick${quick ? ' (quick mode: few iterations, figures are rough)' : ''}, Node ${process.version}`,
);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
// Printed so the picks cannot be optimised away.
console.log(`(checksum ${sink})`);
