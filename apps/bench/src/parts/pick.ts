/**
 * Part 3 — the cost of one pick for every balancer at 3, 100 and 10,000
 * servers, beside a bare `candidates[i++ % n]`: the balancers package's own
 * measurement (packages/balancers/bench/pick-cost.mjs, on its build), with the
 * pool's default balancer added.
 */

import { existsSync } from 'node:fs';
import { type Balancer, defaultRoundRobin } from '@mcpool/core';
import type { Goal, Part } from '../report.js';
import { fmtNs, fmtRatio, table } from '../util/format.js';

interface PickFigure {
  median: number;
  mean: number;
  samples: number;
}

/** What packages/balancers/bench/pick-cost.mjs exports. */
interface PickCostModule {
  SIZES: readonly number[];
  BASELINE: string;
  measurePickCost(options: {
    quick?: boolean;
    extra?: readonly [string, () => Balancer][];
  }): Promise<{
    strategies: string[];
    nsPerPick(label: string, n: number): PickFigure | undefined;
    checksum: number;
  }>;
}

const MODULE = new URL('../../../../packages/balancers/bench/pick-cost.mjs', import.meta.url);

export const pick: Part = {
  id: 'pick',
  title: '3. Cost of one balancer pick',
  async run(context) {
    if (!existsSync(MODULE)) {
      throw new Error(`${MODULE.pathname} is missing: the balancers package's measurement`);
    }
    const { SIZES, BASELINE, measurePickCost } = (await import(MODULE.href)) as PickCostModule;
    const { strategies, nsPerPick, checksum } = await measurePickCost({
      quick: context.quick,
      extra: [['core default (round robin)', defaultRoundRobin]],
    });
    const figure = (label: string, n: number) => nsPerPick(label, n)?.median ?? Number.NaN;
    const rows = strategies.map((label) => [
      label,
      ...SIZES.flatMap((n) => {
        const v = figure(label, n);
        return [fmtNs(v), label === BASELINE ? '' : fmtRatio(v / figure(BASELINE, n))];
      }),
    ]);
    const text = table(
      ['strategy', ...SIZES.flatMap((n) => [`${n.toLocaleString('en-US')} servers`, 'vs modulo'])],
      rows,
    );
    const data = strategies.map((label) => ({
      strategy: label,
      nsPerPick: Object.fromEntries(SIZES.map((n) => [n, nsPerPick(label, n)])),
    }));
    const goals: Goal[] = [];
    return {
      about:
        'Median cost of one pick (tinybench samples, each a batch of picks), for every strategy of @mcpool/balancers and the pool default, beside a bare modulo pick in the same run.',
      text,
      goals,
      notes: [
        'O(n) strategies (weighted, leastConnections, priority) scan every candidate; p2c and p2cEwma look at two; a pick happens once per attempt, so compare these figures with the per-call overhead of part 1.',
        `checksum ${checksum} (printed so the picks cannot be optimised away)`,
      ],
      data,
    };
  },
};
