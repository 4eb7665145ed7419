/** Small statistics helpers. Every function copies before sorting, so inputs stay untouched. */

/** Sorted copy, ascending. */
export function sorted(values: ArrayLike<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** Quantile `q` in [0, 1] by linear interpolation between closest ranks; NaN when empty. */
export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileSorted(sorted(values), q);
}

/** Like {@link quantile} on an already sorted array. */
export function quantileSorted(ascending: readonly number[], q: number): number {
  const n = ascending.length;
  if (n === 0) return Number.NaN;
  if (n === 1) return ascending[0] as number;
  const at = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, n - 1);
  const a = ascending[lo] as number;
  const b = ascending[hi] as number;
  return a + (b - a) * (at - lo);
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Median with its interquartile range, the way every repeated figure is reported. */
export interface Summary {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: ArrayLike<number>): Summary {
  const s = sorted(values);
  return {
    median: quantileSorted(s, 0.5),
    p25: quantileSorted(s, 0.25),
    p75: quantileSorted(s, 0.75),
    min: s[0] ?? Number.NaN,
    max: s[s.length - 1] ?? Number.NaN,
    runs: s.length,
  };
}

/**
 * A distribution-free 95% confidence interval for the median: the order
 * statistics at ranks n/2 − 0.98·√n and 1 + n/2 + 0.98·√n (the normal approximation to the
 * binomial), which assumes nothing about how the values spread. NaN bounds
 * when there are too few values (under 6) for the interval to mean anything.
 */
export function medianCi95(values: ArrayLike<number>): { lo: number; hi: number } {
  const s = sorted(values);
  const n = s.length;
  if (n < 6) return { lo: Number.NaN, hi: Number.NaN };
  const half = 0.98 * Math.sqrt(n);
  // 1-based ranks, rounded outwards.
  const lo = Math.max(1, Math.floor(n / 2 - half));
  const hi = Math.min(n, Math.ceil(1 + n / 2 + half));
  return { lo: s[lo - 1] as number, hi: s[hi - 1] as number };
}

/** Least-squares slope of y over x; NaN with fewer than two points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  const mx = mean(xs.slice(0, n));
  const my = mean(ys.slice(0, n));
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? Number.NaN : num / den;
}
