/** Exponential backoff bounds, ms. */
export interface BackoffOptions {
  /** @default 25 */
  baseMs?: number;
  /** @default 250 */
  maxMs?: number;
}

/**
 * Full-jitter backoff (AWS architecture blog): a uniform delay in
 * [0, min(max, base * 2^(n-1))], which spreads retries of many callers apart.
 */
export function fullJitter(n: number, options: BackoffOptions = {}, random = Math.random): number {
  const base = options.baseMs ?? 25;
  const max = options.maxMs ?? 250;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, n - 1));
  return Math.floor(random() * ceiling);
}
