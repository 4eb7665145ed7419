import type { PoolMetrics } from '@mcpool/core';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import type { AttemptCounts } from './attempt-window.js';

/** What a rule sees at each evaluation. */
export interface MetricsSnapshot {
  /** When the evaluation runs, ms since epoch (from the monitor's clock). */
  readonly at: number;
  /** `pool.getMetrics()` at that moment. */
  readonly pool: PoolMetrics;
  /** Attempts of the last `windowMs` (capped at the monitor's retention), by outcome. */
  attempts(windowMs: number): AttemptCounts;
}

/** A rule's verdict. */
export interface AlertResult {
  /** Names the alert in events; keep it stable for one rule. */
  readonly name: string;
  /** The figure the rule looked at (healthy servers, error rate, ...). */
  readonly value: number;
  /** The limit `value` was held against. */
  readonly threshold: number;
  /** Human sentence for logs and pagers. */
  readonly message: string;
  /** `false` reports the figure without firing, so a resolution can carry it. @default true */
  readonly firing?: boolean | undefined;
}

/**
 * A rule: return a result to fire (or to report with `firing: false`),
 * `undefined` when all is well. `windowMs` tells the monitor how much
 * attempt history to keep for it.
 */
export type AlertRule = ((snapshot: MetricsSnapshot) => AlertResult | undefined) & {
  readonly windowMs?: number | undefined;
};

const integerFrom = (min: number, rule: string) =>
  optionOf<number>((v) => Number.isInteger(v) && (v as number) >= min, rule);

/** The argument of `minHealthyServers`, as zod checks it. */
const minHealthySchema = z.object({
  min: integerFrom(0, 'must be an integer, 0 or more').unwrap(),
});

/** The arguments of `maxErrorRate`, as zod checks them. */
const maxErrorRateSchema = z.object({
  max: optionOf<number>(
    (v) => typeof v === 'number' && v >= 0 && v <= 1,
    'must be a ratio from 0 to 1, e.g. 0.05',
  ).unwrap(),
  windowMs: integerFrom(1, 'must be a positive integer of ms'),
  minAttempts: integerFrom(1, 'must be an integer, 1 or more'),
});

/** Fires when fewer than `min` servers are in selection (the seed's "Low server availability"). */
export function minHealthyServers(min: number, options: { name?: string } = {}): AlertRule {
  checkOptions('minHealthyServers', minHealthySchema, { min });
  const name = options.name ?? 'minHealthyServers';
  return ({ pool }) => {
    const value = pool.healthyServers;
    const firing = value < min;
    return {
      name,
      value,
      threshold: min,
      firing,
      message: firing
        ? `Only ${value} of ${pool.totalServers} servers healthy; at least ${min} wanted.`
        : `${value} of ${pool.totalServers} servers healthy; at least ${min} wanted.`,
    };
  };
}

/** Options of `maxErrorRate`. */
export interface MaxErrorRateOptions {
  /** Window the rate is taken over, ms. @default 60_000 */
  windowMs?: number | undefined;
  /** Fewer attempts than this in the window never fire (one failure of two is not a trend). @default 1 */
  minAttempts?: number | undefined;
  /** @default 'maxErrorRate' */
  name?: string | undefined;
}

/**
 * Fires when more than `max` (0–1) of the attempts in the window failed for
 * the server's fault: (server-error + timeout) / all attempts, the failure
 * classes health and breakers count. Rejected and aborted attempts count in
 * the total only.
 */
export function maxErrorRate(max: number, options: MaxErrorRateOptions = {}): AlertRule {
  const windowMs = options.windowMs ?? 60_000;
  const minAttempts = options.minAttempts ?? 1;
  checkOptions('maxErrorRate', maxErrorRateSchema, { max, windowMs, minAttempts });
  const name = options.name ?? 'maxErrorRate';
  const seconds = Math.round(windowMs / 1000);
  const rule = (snapshot: MetricsSnapshot): AlertResult => {
    const { total, byOutcome } = snapshot.attempts(windowMs);
    const errors = byOutcome['server-error'] + byOutcome.timeout;
    const value = total === 0 ? 0 : errors / total;
    const firing = total >= minAttempts && value > max;
    return {
      name,
      value,
      threshold: max,
      firing,
      message: `Error rate ${percent(value)} over the last ${seconds} s (${errors} of ${total} attempts); limit ${percent(max)}.`,
    };
  };
  return Object.assign(rule, { windowMs });
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(2)}%`;
}
