import { type ConfigIssue, InvalidConfigError } from '@mcpool/core';

/** How a circuit decides to open and when it tries again. Every option is optional. */
export interface CircuitOptions {
  /** Share of failed calls in the rolling window, in percent, above which the circuit opens. @default 50 */
  errorThresholdPercentage?: number | undefined;
  /** Length of the rolling window of counts, ms. @default 10_000 */
  rollingCountTimeout?: number | undefined;
  /** Buckets of the rolling window (it moves one bucket at a time). @default 10 */
  rollingCountBuckets?: number | undefined;
  /** Calls in the window before the circuit may open at all (opossum's default 0 opens on the first failure). @default 5 */
  volumeThreshold?: number | undefined;
  /** Time an open circuit waits before it lets one probe through (half-open), ms. @default 30_000 */
  resetTimeout?: number | undefined;
}

/** Options of `CircuitBreakers`, the per-server breakers of a pool. */
export interface CircuitBreakersOptions extends CircuitOptions {
  /**
   * Take a server whose circuit is open out of selection (`pool.exclude` with
   * source `breaker`) and put it back when half-open, so the balancer stops
   * picking it instead of failing fast on it. @default true
   */
  exclude?: boolean | undefined;
}

/** Circuit options with defaults applied. */
export interface CircuitSettings {
  readonly errorThresholdPercentage: number;
  readonly rollingCountTimeout: number;
  readonly rollingCountBuckets: number;
  readonly volumeThreshold: number;
  readonly resetTimeout: number;
}

/** Applies defaults and reports every invalid option with its path. */
export function resolveCircuitOptions(options: CircuitOptions, what: string): CircuitSettings {
  const issues: ConfigIssue[] = [];
  const number = (
    path: keyof CircuitOptions,
    fallback: number,
    valid: (n: number) => boolean,
    rule: string,
  ): number => {
    const value = options[path];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !valid(value)) {
      issues.push({ path, message: `must be ${rule}, got ${String(value)}` });
      return fallback;
    }
    return value;
  };
  const settings: CircuitSettings = {
    errorThresholdPercentage: number(
      'errorThresholdPercentage',
      50,
      (n) => n >= 0 && n <= 100,
      'a percentage between 0 and 100',
    ),
    rollingCountTimeout: number(
      'rollingCountTimeout',
      10_000,
      (n) => Number.isInteger(n) && n > 0,
      'a positive whole number of ms',
    ),
    rollingCountBuckets: number(
      'rollingCountBuckets',
      10,
      (n) => Number.isInteger(n) && n >= 1,
      'a whole number of at least 1',
    ),
    volumeThreshold: number(
      'volumeThreshold',
      5,
      (n) => Number.isInteger(n) && n >= 0,
      'a whole number of at least 0',
    ),
    resetTimeout: number(
      'resetTimeout',
      30_000,
      (n) => Number.isInteger(n) && n > 0,
      'a positive whole number of ms',
    ),
  };
  if (issues.length === 0 && settings.rollingCountTimeout / settings.rollingCountBuckets < 1) {
    issues.push({
      path: 'rollingCountBuckets',
      message: `must leave buckets of at least 1 ms (rollingCountTimeout ${settings.rollingCountTimeout})`,
    });
  }
  if (issues.length > 0) throw new InvalidConfigError(what, issues);
  return settings;
}
