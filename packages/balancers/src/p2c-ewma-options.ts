// The options of p2cEwma and how they are checked; the strategy is in p2c-ewma.ts.
import { optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import type { Clock, RandomSource } from './shared.js';

/** Options of `p2cEwma`. */
export interface P2cEwmaOptions {
  /**
   * Time constant of the latency average, ms: how fast old samples lose
   * weight, and how fast an estimate fades while a server gets no samples.
   * @default 10_000
   */
  decayMs?: number | undefined;
  /**
   * Latency recorded for a failed attempt (outcome `server-error` or `timeout`)
   * when its real latency is lower, so that a server failing fast does not
   * look fast and attract traffic.
   * @default five times the median estimate of the servers seen so far (five
   * times the attempt's own latency before any is known)
   */
  failurePenaltyMs?: number | undefined;
  /**
   * Latency assumed for a server that has never answered (new, or forgotten
   * by `onRemove`).
   * @default the median estimate of the servers that have answered, or
   * `defaultRttMs` while none has
   */
  newServerRttMs?: number | undefined;
  /**
   * Latency assumed before any server has answered (tower's `default_rtt`).
   * Only its relation to `newServerRttMs` and real answers matters.
   * @default 30
   */
  defaultRttMs?: number | undefined;
  /**
   * Requests a server that has not answered yet may have in flight at once
   * (counted from `onStart`): a slow newcomer gets a probe, not a share of
   * the first wave. Picked past this bound only when both candidates drawn,
   * and the next few in turn (up to 16), are at it: the first wave of a cold
   * start, which is then spread evenly.
   * @default 1
   */
  maxProbes?: number | undefined;
  /**
   * Take the client's own stalls out of latencies and ages: when no pick,
   * start or result came for a while and two or more servers were all late
   * by the end of it, the lateness they share (at most that silence) was the
   * client's (a garbage collection, a machine short of CPU), not theirs.
   * Without it a stall inflates the estimate of every server busy at the
   * time, and an idle slow server looks cheap beside them.
   * @default true
   */
  discountStalls?: boolean | undefined;
  /**
   * A lower sample moves the estimate at least `1 / recoverySamples` of the
   * way to it, however little time has passed: a peak fades over this many
   * faster answers as well as with `decayMs`. Without it a busy server's
   * estimate is the worst of all its answers over the last `decayMs`, noise
   * included, and looks dearer than a rarely used slow one.
   * @default 8
   */
  recoverySamples?: number | undefined;
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
  /** Clock in ms; inject a fake one for tests. @default performance.now */
  now?: Clock | undefined;
}

const atLeast = (min: number, kind: 'ms' | 'integer' | 'number') =>
  optionOf<number>(
    (v) =>
      typeof v === 'number' &&
      v >= min &&
      v < Number.POSITIVE_INFINITY &&
      (kind !== 'integer' || Number.isInteger(v)),
    `must be ${kind === 'integer' ? 'an integer' : 'a number'} of at least ${min}${kind === 'ms' ? ' ms' : ''}`,
  );

/** The options of `p2cEwma`, as zod checks them. */
export const p2cEwmaOptionsSchema = z.object({
  decayMs: optionOf<number>(
    (v) => typeof v === 'number' && v > 0 && v < Number.POSITIVE_INFINITY,
    'must be a positive number of ms',
  ),
  failurePenaltyMs: atLeast(0, 'ms'),
  newServerRttMs: atLeast(0, 'ms'),
  defaultRttMs: atLeast(0, 'ms'),
  maxProbes: atLeast(1, 'integer'),
  recoverySamples: atLeast(1, 'number'),
  discountStalls: optionOf<boolean>((v) => typeof v === 'boolean', 'must be true or false'),
});
