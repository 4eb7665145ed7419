/**
 * Part 4 — one slow replica: five in-process servers, one of them turned 20×
 * slower, and the latency each balancer gives callers; beside the same pool
 * without the slow server. Warm (the replica turns slow after every server
 * has answered) and from a cold start (slow from the first call, see
 * cold-start.ts).
 */

import { leastConnections, p2c, p2cEwma, roundRobin } from '@mcpool/balancers';
import type { Balancer } from '@mcpool/core';
import { type InProcessTestServer, startInProcessServer } from '@mcpool/testkit';
import { ADD, startPool } from '../clients.js';
import type { Goal, Part } from '../report.js';
import { fmtDuration, fmtRatio, table } from '../util/format.js';
import { runLoad } from '../util/load.js';
import { median, quantileSorted, sorted } from '../util/stats.js';
import { COLD_CALLS, COLD_CONCURRENCY, coldStartReport, measureColdStart } from './cold-start.js';

const BASE_MS = 2;
const SLOW_MS = 40;
const CONCURRENCY = 16;

/** p99 of the pool with the slow replica within this factor of the pool without it. */
const WARM_GOAL = 1.2;

const BALANCERS: readonly [string, () => Balancer][] = [
  ['roundRobin', () => roundRobin()],
  ['leastConnections', () => leastConnections()],
  ['p2c', () => p2c()],
  ['p2cEwma', () => p2cEwma()],
];

interface Percentiles {
  p50: number;
  p99: number;
  p999: number;
  mean: number;
}

interface Scenario {
  /** Median over runs of each figure, ms. */
  latency: Percentiles;
  perRun: Percentiles[];
  /** Share of calls the slow server answered (median over runs); 0 for the baseline. */
  slowShare: number;
  callsPerSecond: number;
}

function percentiles(latencies: Float64Array): Percentiles {
  const s = sorted(latencies);
  let sum = 0;
  for (const v of s) sum += v;
  return {
    p50: quantileSorted(s, 0.5),
    p99: quantileSorted(s, 0.99),
    p999: quantileSorted(s, 0.999),
    mean: sum / s.length,
  };
}

async function scenario(
  create: () => Balancer,
  servers: readonly InProcessTestServer[],
  slow: InProcessTestServer | undefined,
  runs: number,
  calls: number,
): Promise<Scenario> {
  const perRun: Percentiles[] = [];
  const shares: number[] = [];
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    for (const s of servers) s.state.latencyMs = BASE_MS;
    const handle = await startPool(
      servers.map((s) => ({ id: s.id, transport: s.transport })),
      { balancer: create() },
    );
    try {
      // Every server healthy and fast first, so latency-aware strategies know them all...
      await runLoad(() => handle.client.callTool(ADD), {
        total: 20 * servers.length,
        concurrency: CONCURRENCY,
      });
      // ...then one replica turns slow.
      if (slow) slow.state.latencyMs = SLOW_MS;
      const before = slow?.state.callCount ?? 0;
      const result = await runLoad(() => handle.client.callTool(ADD), {
        total: calls,
        concurrency: CONCURRENCY,
        latencies: true,
      });
      if (result.failures > 0)
        throw new Error(`${result.failures} calls failed (${result.errors[0]})`);
      perRun.push(percentiles(result.latencies as Float64Array));
      shares.push(slow ? (slow.state.callCount - before) / result.calls : 0);
      rates.push((result.calls * 1000) / result.elapsedMs);
    } finally {
      await handle.close();
    }
  }
  return {
    latency: {
      p50: median(perRun.map((p) => p.p50)),
      p99: median(perRun.map((p) => p.p99)),
      p999: median(perRun.map((p) => p.p999)),
      mean: median(perRun.map((p) => p.mean)),
    },
    perRun,
    slowShare: median(shares),
    callsPerSecond: median(rates),
  };
}

export const slow: Part = {
  id: 'slow',
  title: '4. One slow replica',
  async run(context) {
    const { quick } = context;
    const runs = quick ? 1 : 3;
    const calls = quick ? 300 : 4000;
    const servers = Array.from({ length: 5 }, (_, i) =>
      startInProcessServer({ id: `r${i + 1}`, latencyMs: BASE_MS }),
    );
    const slowOne = servers[4] as InProcessTestServer;
    const fast = servers.slice(0, 4);
    const results: { balancer: string; withSlow: Scenario; withoutSlow: Scenario }[] = [];
    const coldRuns = quick ? 2 : 20;
    let cold: Awaited<ReturnType<typeof measureColdStart>> = [];
    try {
      cold = await measureColdStart({
        balancers: BALANCERS,
        servers,
        slow: slowOne,
        runs: coldRuns,
        baseMs: BASE_MS,
        slowMs: SLOW_MS,
        log: context.log,
      });
      for (const [name, create] of BALANCERS) {
        const withSlow = await scenario(create, servers, slowOne, runs, calls);
        const withoutSlow = await scenario(create, fast, undefined, runs, calls);
        results.push({ balancer: name, withSlow, withoutSlow });
        context.log(
          `slow ${name}: p99 ${fmtDuration(withSlow.latency.p99)} (without ${fmtDuration(withoutSlow.latency.p99)}), slow share ${(withSlow.slowShare * 100).toFixed(1)}%`,
        );
      }
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
    const rows = results.map(({ balancer, withSlow: w, withoutSlow: o }) => [
      balancer,
      fmtDuration(w.latency.p50),
      fmtDuration(w.latency.p99),
      fmtDuration(w.latency.p999),
      `${(w.slowShare * 100).toFixed(1)}%`,
      fmtDuration(o.latency.p50),
      fmtDuration(o.latency.p99),
      fmtDuration(o.latency.p999),
      fmtRatio(w.latency.p99 / o.latency.p99),
      fmtRatio(w.latency.p999 / o.latency.p999),
    ]);
    const warmText = table(
      [
        'balancer',
        'p50',
        'p99',
        'p99.9',
        'to slow',
        'p50 w/o',
        'p99 w/o',
        'p99.9 w/o',
        'p99 vs w/o',
        'p99.9 vs w/o',
      ],
      rows,
    );
    const least = [...results].sort((a, b) => a.withSlow.slowShare - b.withSlow.slowShare)[0];
    const coldReport = coldStartReport(cold, quick);
    const text = `Warm: the replica turns slow after every server has answered\n${warmText}\n\nCold start: a fresh pool, the replica slow from the first call; ${COLD_CALLS} calls per run, ${coldRuns} runs per row, each a new pool\n${coldReport.text}`;
    const ewma = results.find((r) => r.balancer === 'p2cEwma');
    const warmRatio = ewma ? ewma.withSlow.latency.p99 / ewma.withoutSlow.latency.p99 : Number.NaN;
    const goals: Goal[] = [
      {
        text: `warm, p2cEwma's p99 within ${WARM_GOAL}× the pool without the slow replica`,
        met: quick ? null : warmRatio <= WARM_GOAL,
        detail: `${fmtRatio(warmRatio)} (median over ${runs} run(s))${quick ? ' (quick mode: not judged)' : ''}`,
      },
      ...coldReport.goals,
    ];
    const observations = least
      ? [
          `${least.balancer} sent the fewest calls to the slow server (${(least.withSlow.slowShare * 100).toFixed(1)}%, round robin ${((results.find((r) => r.balancer === 'roundRobin')?.withSlow.slowShare ?? Number.NaN) * 100).toFixed(1)}%). A percentile stays at the slow server's latency while more than its complement of calls (1% for p99, 0.1% for p99.9) goes there; latency-aware strategies still send it calls in the first ${SLOW_MS} ms, before its first slow answer is known, and whenever noise makes a fast server look slower.`,
        ]
      : [];
    return {
      about: `Five in-process servers answering in ${BASE_MS} ms, one of them ${SLOW_MS} ms (20×). Warm: after a short warm-up the replica turns slow; ${calls} calls at concurrency ${CONCURRENCY} per run, ${runs} run(s) per balancer, each with a fresh pool; figures are medians over runs. Cold start: the replica is slow from the first call of a fresh pool; ${COLD_CALLS} calls at concurrency ${COLD_CONCURRENCY.join(' and ')}, ${coldRuns} runs, the worst run counts. "w/o" is the same pool of the four fast servers.`,
      text,
      goals,
      notes: [
        ...observations,
        "Latency is measured around MultiServerClient.callTool, so it includes the pool and the in-memory SDK round trip (about 0.1 ms) on top of the servers' timer delay.",
        '"to slow" is the share of measured calls the slow server answered (counted by the server).',
        `From a cold start nothing tells the servers apart until the first answers: the calls that leave before them spread evenly, so the slow server gets about concurrency / 5 of them whatever the balancer (2 at 8, 4 at 16 in the worst of many runs). p2cEwma then sends it nothing more while its probe is out (one request at a time for a server that has not answered; a request out longer than the estimate counts as latency), nor after its answers: a stall of the client, which makes every busy server late at once, is not counted against them, and a busy server's estimate follows its recent answers rather than holding its worst one. Of ${COLD_CALLS} calls, 3 slow ones leave p99 at the fast servers' latency; a 4th adds 1% of the slow latency to it. p99 is judged against the worst run without the slow server: a stall lifts the p99 of a run whatever the balancer.`,
      ],
      data: {
        baseMs: BASE_MS,
        slowMs: SLOW_MS,
        concurrency: CONCURRENCY,
        runs,
        calls,
        results,
        coldStart: { calls: COLD_CALLS, runs: coldRuns, rows: cold },
      },
    };
  },
};
