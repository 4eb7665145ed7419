import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSmoothSchedule } from './smooth-schedule.js';

/** nginx's smooth weighted round robin, literally: every credit touched on every pick. */
function nginx(weights: number[], credits: number[], total: number, picks: number): number[] {
  const current = [...credits];
  const out: number[] = [];
  for (let p = 0; p < picks; p++) {
    let best = -1;
    let bestCredit = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < weights.length; i++) {
      if (weights[i] === 0) continue;
      current[i]! += weights[i]!;
      if (current[i]! > bestCredit) {
        bestCredit = current[i]!;
        best = i;
      }
    }
    current[best]! -= total;
    out.push(best);
  }
  return out;
}

const members = fc
  .array(
    fc.record({
      weight: fc.integer({ min: 0, max: 40 }),
      credit: fc.integer({ min: -60, max: 60 }),
    }),
    { minLength: 1, maxLength: 60 },
  )
  .filter((list) => list.some((m) => m.weight > 0));

describe('the smooth schedule', () => {
  it.each([
    ['comparing class tops', Number.POSITIVE_INFINITY],
    ['with the kinetic tournament', 0],
  ])('picks what nginx picks, %s, from any credits', (_, scanClasses) => {
    fc.assert(
      fc.property(members, fc.integer({ min: 1, max: 400 }), (list, picks) => {
        const weights = list.map((m) => m.weight);
        const credits = list.map((m) => (m.weight > 0 ? m.credit : 0));
        const total = weights.reduce((a, b) => a + b, 0);
        const schedule = createSmoothSchedule(
          Float64Array.from(weights),
          Float64Array.from(credits),
          total,
          scanClasses,
        );
        const got = Array.from({ length: picks }, () => schedule.next());
        expect(got).toEqual(nginx(weights, credits, total, picks));
        // And it hands back the credits nginx would hold now.
        const after = [...credits];
        for (const i of got) {
          for (let k = 0; k < weights.length; k++) after[k]! += weights[k]!;
          after[i]! -= total;
        }
        for (let k = 0; k < weights.length; k++) {
          if (weights[k]! > 0) expect(schedule.current(k)).toBe(after[k]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps to nginx across a re-base of its credits', () => {
    const weights = [7, 3, 3, 1, 11, 2, 5, 13, 17, 19];
    const total = weights.reduce((a, b) => a + b, 0);
    const credits = weights.map(() => 0);
    const count = (1 << 16) + 500;
    const expected = nginx(weights, credits, total, count);
    for (const scanClasses of [Number.POSITIVE_INFINITY, 0]) {
      const schedule = createSmoothSchedule(
        Float64Array.from(weights),
        Float64Array.from(credits),
        total,
        scanClasses,
      );
      const got = Array.from({ length: count }, () => schedule.next());
      expect(got.slice(-1000)).toEqual(expected.slice(-1000));
    }
  });
});
