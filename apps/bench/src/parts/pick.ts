/**
 * Part 3 — the cost of one pick for every balancer at 3, 100 and 10,000
 * servers, beside a bare `candidates[i++ % n]` (the logic of
 * packages/balancers/bench/pick.mjs, on the built packages).
 */

import {
  consistentHash,
  leastConnections,
  p2c,
  p2cEwma,
  priority,
  random,
  roundRobin,
  weighted,
} from '@mcpool/balancers';
import { type Balancer, defaultRoundRobin, type RequestInfo, type ServerView } from '@mcpool/core';
import { Bench } from 'tinybench';
import type { Goal, Part } from '../report.js';
import { fmtNs, fmtRatio, table } from '../util/format.js';

const SIZES = [3, 100, 10_000] as const;

function makeServers(n: number): ServerView[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `server-${i}`,
    name: `server-${i}`,
    weight: 1 + (i % 3),
    priority: i % 4 === 0 ? 1 : 0,
    tags: [],
    state: 'connected' as const,
    healthy: true,
    inFlight: (i * 7) % 11,
    latencyEwmaMs: 10 + (i % 5),
  }));
}

function baseline(): Balancer {
  let i = 0;
  return {
    name: 'baseline',
    pick: <S extends ServerView>(candidates: readonly S[]) =>
      candidates[i++ % candidates.length] as S,
  };
}

const STRATEGIES: readonly [string, () => Balancer][] = [
  ['baseline: c[i++ % n]', baseline],
  ['core default (round robin)', defaultRoundRobin],
  ['roundRobin', () => roundRobin()],
  ['weighted', () => weighted()],
  ['leastConnections', () => leastConnections()],
  ['priority', () => priority()],
  ['random', () => random()],
  ['p2c', () => p2c()],
  ['p2cEwma', () => p2cEwma()],
  ['consistentHash', () => consistentHash()],
];

export const pick: Part = {
  id: 'pick',
  title: '3. Cost of one balancer pick',
  async run(context) {
    const { quick } = context;
    const plain: RequestInfo = { method: 'tools/call', params: {}, safe: true };
    // Built ahead so the loop measures picks, not request allocation.
    const keyed: RequestInfo[] = Array.from({ length: 1024 }, (_, i) => ({
      ...plain,
      key: `user-${i}`,
    }));
    let sink = 0;
    const bench = new Bench(
      quick
        ? { iterations: 3, time: 0, warmup: false, throws: true }
        : { iterations: 64, time: 300, warmupTime: 100, warmupIterations: 16, throws: true },
    );
    // A timer reading costs more than a small pick, so each sample is a batch of picks.
    const batches = new Map<string, number>();
    for (const n of SIZES) {
      const candidates = makeServers(n);
      const batch = Math.max(1, Math.floor((quick ? 10_000 : 100_000) / n));
      for (const [label, create] of STRATEGIES) {
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
            const picked = balancer.pick(
              candidates,
              hashed ? (keyed[k++ & 1023] as RequestInfo) : plain,
            );
            sink += picked.inFlight;
          }
        });
      }
    }
    await bench.run();
    const ns = new Map<string, { median: number; mean: number; samples: number }>();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name}: ${result.state}`);
      const per = batches.get(task.name) as number;
      ns.set(task.name, {
        median: (result.latency.p50 * 1e6) / per,
        mean: (result.latency.mean * 1e6) / per,
        samples: result.latency.samplesCount,
      });
    }
    const figure = (label: string, n: number) => ns.get(`${label} @ ${n}`)?.median ?? Number.NaN;
    const rows = STRATEGIES.map(([label]) => [
      label,
      ...SIZES.flatMap((n) => {
        const v = figure(label, n);
        const base = figure(STRATEGIES[0]?.[0] as string, n);
        return [fmtNs(v), label.startsWith('baseline') ? '' : fmtRatio(v / base)];
      }),
    ]);
    const text = table(
      ['strategy', ...SIZES.flatMap((n) => [`${n.toLocaleString('en-US')} servers`, 'vs modulo'])],
      rows,
    );
    const data = STRATEGIES.map(([label]) => ({
      strategy: label,
      nsPerPick: Object.fromEntries(SIZES.map((n) => [n, ns.get(`${label} @ ${n}`)])),
    }));
    const goals: Goal[] = [];
    return {
      about:
        'Median cost of one pick (tinybench samples, each a batch of picks), for every strategy of @mcpool/balancers and the pool default, beside a bare modulo pick in the same run.',
      text,
      goals,
      notes: [
        'O(n) strategies (weighted, leastConnections, priority) scan every candidate; p2c and p2cEwma look at two; a pick happens once per attempt, so compare these figures with the per-call overhead of part 1.',
        `checksum ${sink} (printed so the picks cannot be optimised away)`,
      ],
      data,
    };
  },
};
