/**
 * The arithmetic of outlier ejection (Envoy's): how long an ejection lasts and
 * how many servers may be out at once. Pure functions, so time is a parameter.
 */

/**
 * Ejection time for the `multiplier`-th ejection in a row: `baseMs × multiplier`,
 * never more than `maxMs`.
 */
export function ejectionDuration(multiplier: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * Math.max(1, multiplier));
}

/**
 * The multiplier forgets one ejection for every `baseMs` a server spent back in
 * selection without being ejected, so a server that failed once a week ago is
 * not punished like one that failed a minute ago.
 */
export function decayedMultiplier(multiplier: number, backInForMs: number, baseMs: number): number {
  if (multiplier <= 0 || backInForMs <= 0 || baseMs <= 0) return Math.max(0, multiplier);
  return Math.max(0, multiplier - Math.floor(backInForMs / baseMs));
}

/**
 * How many of `total` servers may be ejected at once. Envoy's share rounds
 * down, which with few servers (10% of 3) would never eject anything; here at
 * least one server may always be ejected unless `percent` is 0.
 */
export function maxEjected(total: number, percent: number): number {
  if (percent <= 0 || total <= 0) return 0;
  return Math.max(1, Math.floor((total * Math.min(100, percent)) / 100));
}
