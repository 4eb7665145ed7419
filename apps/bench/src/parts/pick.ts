/**
 * Part 3 — the cost of one pick for every balancer at 3, 100, 10,000 and
 * 100,000 servers, beside a bare `candidates[i++ % n]`: the balancers
 * package's own measurement (packages/balancers/bench/pick-cost.mjs, on its
 * build), with the pool's default balancer added. Also at 10,000 servers with
 * a new candidate array on every pick, and the first pick at 100,000 (which
 * builds a strategy's structure for the set).
 */

import { existsSync } from 'node:fs';
import type { Balancer } from '@mcpool/core';
import { poolDefaultBalancer } from '@mcpool/core/internal';
import type { Goal, Part } from '../report.js';
import { fmtDuration, fmtNs, fmtRatio, table } from '../util/format.js';

interface PickFigure {
  median: number;
  mean: number;
  samples: number;
}

/** What packages/balancers/bench/pick-cost.mjs exports. */
interface PickCostModule {
  SIZES: readonly number[];
  FRESH_SIZE: number;
  BASELINE: string;
  measurePickCost(options: {
    quick?: boolean;
    extra?: readonly [string, () => Balancer][];
  }): Promise<{
    strategies: string[];
    nsPerPick(label: string, n: number): PickFigure | undefined;
    fresh(label: string): PickFigure | undefined;
    firstPickMs(label: string, n: number): number | undefined;
    checksum: number;
  }>;
}

const MODULE = new URL('../../../../packages/balancers/bench/pick-cost.mjs', import.meta.url);

/** The goal of issue 17: every strategy within this at 10,000 servers. */
const GOAL_NS = 1_000;
const GOAL_SIZE = 10_000;

export const pick: Part = {
  id: 'pick',
  title: '3. Cost of one balancer pick',
  async run(context) {
    if (!existsSync(MODULE)) {
      throw new Error(`${MODULE.pathname} is missing: the balancers package's measurement`);
    }
    const { SIZES, FRESH_SIZE, BASELINE, measurePickCost } = (await import(
      MODULE.href
    )) as PickCostModule;
    const { strategies, nsPerPick, fresh, firstPickMs, checksum } = await measurePickCost({
      quick: context.quick,
      extra: [['core default (round robin)', poolDefaultBalancer]],
    });
    const figure = (label: string, n: number) => nsPerPick(label, n)?.median ?? Number.NaN;
    const largest = SIZES[SIZES.length - 1] ?? GOAL_SIZE;
    const rows = strategies.map((label) => [
      label,
      ...SIZES.flatMap((n) => {
        const v = figure(label, n);
        return [fmtNs(v), label === BASELINE ? '' : fmtRatio(v / figure(BASELINE, n))];
      }),
      fmtNs(fresh(label)?.median ?? Number.NaN),
      fmtDuration(firstPickMs(label, largest) ?? Number.NaN),
    ]);
    const text = table(
      [
        'strategy',
        ...SIZES.flatMap((n) => [`${n.toLocaleString('en-US')} servers`, 'vs modulo']),
        `new array @ ${FRESH_SIZE.toLocaleString('en-US')}`,
        `first pick @ ${largest.toLocaleString('en-US')}`,
      ],
      rows,
    );
    const data = strategies.map((label) => ({
      strategy: label,
      nsPerPick: Object.fromEntries(SIZES.map((n) => [n, nsPerPick(label, n)])),
      nsPerPickNewArray: fresh(label),
      firstPickMs: Object.fromEntries(SIZES.map((n) => [n, firstPickMs(label, n)])),
    }));
    const measured = strategies.filter((label) => label !== BASELINE);
    const over = measured.filter((label) => !(figure(label, GOAL_SIZE) <= GOAL_NS));
    const goals: Goal[] = [
      {
        text: `every strategy picks in at most ${fmtNs(GOAL_NS)} at ${GOAL_SIZE.toLocaleString('en-US')} servers`,
        met: context.quick ? null : over.length === 0,
        detail:
          measured.map((label) => `${label} ${fmtNs(figure(label, GOAL_SIZE))}`).join(', ') +
          (context.quick ? ' (quick mode: not judged)' : ''),
      },
    ];
    return {
      about:
        'Median cost of one pick (tinybench samples, each a batch of picks), for every strategy of @mcpool/balancers and the pool default, beside a bare modulo pick in the same run. The candidates are one array per set, as a pool that keeps its candidate lists hands them out; "new array" gives the same servers in a different array on every pick.',
      text,
      goals,
      notes: [
        'weighted, leastConnections, priority and consistentHash keep a structure per candidate set (a lazy smooth schedule, a tree of loads, the top tier, a multi-probe ring), built on the first pick of a set ("first pick"); p2c and p2cEwma look at two candidates.',
        'Given an array it has not seen, a strategy compares it with the sets it knows, member by member: one O(n) pass of pointer compares ("new array"), about what the old per-pick scans cost. The O(log n) figures need a pool that hands out the same array while a candidate set is unchanged.',
        'A pick happens once per attempt: compare these figures with the per-call overhead of part 1.',
        `checksum ${checksum} (printed so the picks cannot be optimised away)`,
      ],
      data,
    };
  },
};
