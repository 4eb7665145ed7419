import { InvalidConfigError } from '@mcpool/core';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';

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

/** A number option: `valid` says which values are allowed, `rule` says so in the error. */
const numberOption = (rule: string, valid: (n: number) => boolean) =>
  optionOf<number>((v) => typeof v === 'number' && valid(v), `must be ${rule}`);

/** The circuit options, as zod checks them (other keys are let through: they belong to the caller). */
export const circuitOptionsSchema = z.object({
  errorThresholdPercentage: numberOption(
    'a percentage between 0 and 100',
    (n) => n >= 0 && n <= 100,
  ),
  rollingCountTimeout: numberOption(
    'a positive whole number of ms',
    (n) => Number.isInteger(n) && n > 0,
  ),
  rollingCountBuckets: numberOption(
    'a whole number of at least 1',
    (n) => Number.isInteger(n) && n >= 1,
  ),
  volumeThreshold: numberOption(
    'a whole number of at least 0',
    (n) => Number.isInteger(n) && n >= 0,
  ),
  resetTimeout: numberOption('a positive whole number of ms', (n) => Number.isInteger(n) && n > 0),
});

/** Applies defaults and reports every invalid option with its path. */
export function resolveCircuitOptions(options: CircuitOptions, what: string): CircuitSettings {
  checkOptions(what, circuitOptionsSchema, options);
  const settings: CircuitSettings = {
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    rollingCountTimeout: options.rollingCountTimeout ?? 10_000,
    rollingCountBuckets: options.rollingCountBuckets ?? 10,
    volumeThreshold: options.volumeThreshold ?? 5,
    resetTimeout: options.resetTimeout ?? 30_000,
  };
  if (settings.rollingCountTimeout / settings.rollingCountBuckets < 1) {
    throw new InvalidConfigError(what, [
      {
        path: 'rollingCountBuckets',
        message: `must leave buckets of at least 1 ms (rollingCountTimeout ${settings.rollingCountTimeout})`,
      },
    ]);
  }
  return settings;
}
