import { describe, expect, it } from 'vitest';
import { medianCi95 } from './stats.js';

describe('medianCi95', () => {
  it('takes the order statistics around the median, whatever the order of the values', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    // n = 100: ranks 40 and 61 (1-based), as the tables for the sign test give.
    expect(medianCi95(values)).toEqual({ lo: 40, hi: 61 });
    expect(values[0]).toBe(100);
  });

  it('narrows as the runs grow, and says nothing with too few', () => {
    const width = (n: number) => {
      const { lo, hi } = medianCi95(Array.from({ length: n }, (_, i) => i / n));
      return hi - lo;
    };
    expect(width(400)).toBeLessThan(width(100));
    expect(medianCi95([1, 2, 3, 4, 5])).toEqual({ lo: Number.NaN, hi: Number.NaN });
  });
});
