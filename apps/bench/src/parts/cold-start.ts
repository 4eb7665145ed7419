/**
 * Part 4's cold-start table: a fresh pool whose fifth server is 20× slower
 * from the very first call, so no balancer has learnt anything yet. Each run
 * is a new pool; the worst run is what a user starting an application may
 * meet, so the worst run is what counts.
 */

import type { Balancer } from '@mcpool/core';
import type { InProcessTestServer } from '@mcpool/testkit';
import { ADD, startPool } from '../clients.js';
import type { Goal } from '../report.js';
import { fmtDuration, fmtRatio, table } from '../util/format.js';
import { runLoad } from '../util/load.js';
import { median, quantileSorted, sorted } from '../util/stats.js';

export const COLD_CALLS = 400;
export const COLD_CONCURRENCY = [8, 16] as const;
/** p99 of the pool with the slow server within this factor of the pool without it. */
export const COLD_GOAL = 1.2;
/**
 * The most calls to the slow server that keep p99 of COLD_CALLS at the fast
 * servers: p99 lies between the 5th and the 4th slowest call, so 4 slow calls
 * add 1% of the slow latency to it, a 5th makes it slow.
 */
export const COLD_MOST_TO_SLOW = 4;

interface ColdRun {
  p99: number;
  /** Calls the slow server answered. */
  toSlow: number;
}

export interface ColdRow {
  balancer: string;
  concurrency: number;
  runs: ColdRun[];
  /** The same pool without the slow server, p99 of each run. */
  withoutP99: number[];
}

async function coldRun(
  create: () => Balancer,
  servers: readonly InProcessTestServer[],
  slow: InProcessTestServer | undefined,
  concurrency: number,
  baseMs: number,
  slowMs: number,
): Promise<ColdRun> {
  for (const s of servers) s.state.latencyMs = s === slow ? slowMs : baseMs;
  const handle = await startPool(
    servers.map((s) => ({ id: s.id, transport: s.transport })),
    { balancer: create() },
  );
  try {
    const before = slow?.state.callCount ?? 0;
    const result = await runLoad(() => handle.client.callTool(ADD), {
      total: COLD_CALLS,
      concurrency,
      latencies: true,
    });
    if (result.failures > 0)
      throw new Error(`${result.failures} calls failed (${result.errors[0]})`);
    return {
      p99: quantileSorted(sorted(result.latencies as Float64Array), 0.99),
      toSlow: slow ? slow.state.callCount - before : 0,
    };
  } finally {
    await handle.close();
  }
}

/** Runs every balancer from a cold start, `runs` times per concurrency, with and without the slow server. */
export async function measureColdStart(options: {
  balancers: readonly (readonly [string, () => Balancer])[];
  servers: readonly InProcessTestServer[];
  slow: InProcessTestServer;
  runs: number;
  baseMs: number;
  slowMs: number;
  log(message: string): void;
}): Promise<ColdRow[]> {
  const { servers, slow, runs, baseMs, slowMs } = options;
  const fast = servers.filter((s) => s !== slow);
  const rows: ColdRow[] = [];
  for (const [name, create] of options.balancers) {
    for (const concurrency of COLD_CONCURRENCY) {
      const row: ColdRow = { balancer: name, concurrency, runs: [], withoutP99: [] };
      // Interleaved, so drift on a busy machine touches both sides alike.
      for (let r = 0; r < runs; r++) {
        row.runs.push(await coldRun(create, servers, slow, concurrency, baseMs, slowMs));
        row.withoutP99.push(
          (await coldRun(create, fast, undefined, concurrency, baseMs, slowMs)).p99,
        );
      }
      rows.push(row);
      const worst = worstOf(row);
      options.log(
        `cold ${name} @${concurrency}: worst p99 ${fmtDuration(worst.p99)} (without: worst ${fmtDuration(Math.max(...row.withoutP99))}, median ${fmtDuration(median(row.withoutP99))}), at most ${worst.toSlow} calls to the slow server`,
      );
    }
  }
  for (const s of servers) s.state.latencyMs = baseMs;
  return rows;
}

function worstOf(row: ColdRow): ColdRun {
  return {
    p99: Math.max(...row.runs.map((r) => r.p99)),
    toSlow: Math.max(...row.runs.map((r) => r.toSlow)),
  };
}

/** The printed table and the goals of the cold start. */
export function coldStartReport(
  rows: readonly ColdRow[],
  quick: boolean,
): { text: string; goals: Goal[] } {
  const text = table(
    [
      'balancer',
      'concurrency',
      'worst p99',
      'median p99',
      'p99 w/o (median)',
      'worst w/o',
      'worst vs median w/o',
      'worst vs worst w/o',
      'most to slow',
      'median to slow',
    ],
    rows.map((row) => {
      const worst = worstOf(row);
      const without = median(row.withoutP99);
      const worstWithout = Math.max(...row.withoutP99);
      return [
        row.balancer,
        String(row.concurrency),
        fmtDuration(worst.p99),
        fmtDuration(median(row.runs.map((r) => r.p99))),
        fmtDuration(without),
        fmtDuration(worstWithout),
        fmtRatio(worst.p99 / without),
        fmtRatio(worst.p99 / worstWithout),
        `${worst.toSlow} of ${COLD_CALLS}`,
        String(median(row.runs.map((r) => r.toSlow))),
      ];
    }),
  );
  const goals: Goal[] = rows
    .filter((row) => row.balancer === 'p2cEwma')
    .map((row) => {
      const worst = worstOf(row);
      // Like for like: the worst run beside the worst run of the pool without
      // the slow server. A client stall lifts the p99 of either, whatever the balancer.
      const ratio = worst.p99 / Math.max(...row.withoutP99);
      const vsMedian = worst.p99 / median(row.withoutP99);
      return {
        text: `from a cold start at concurrency ${row.concurrency}, p2cEwma's worst p99 over ${row.runs.length} runs within ${COLD_GOAL}× the worst of the pool without the slow server, and at most ${COLD_MOST_TO_SLOW} of ${COLD_CALLS} calls to it in any run`,
        met: quick ? null : ratio <= COLD_GOAL && worst.toSlow <= COLD_MOST_TO_SLOW,
        detail: `worst p99 ${fmtRatio(ratio)} (${fmtRatio(vsMedian)} of the median run without it); at most ${worst.toSlow} of ${COLD_CALLS} calls went to the slow server (3 leave p99 at the fast servers' latency, a 4th adds 1% of the slow latency, a 5th makes it slow; the ${row.concurrency} calls that leave before any answer spread evenly, so the worst run can see ${Math.ceil(row.concurrency / 5)})${quick ? ' (quick mode: not judged)' : ''}`,
      };
    });
  return { text, goals };
}
