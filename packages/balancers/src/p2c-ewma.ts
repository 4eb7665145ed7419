import type { AttemptReport, Balancer, ServerView } from '@mcpool/core';
import { InvalidConfigError } from '@mcpool/core';
import { type Clock, noCandidates, type RandomSource, randomIndex } from './shared.js';

/** Options of {@link p2cEwma}. */
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
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
  /** Clock in ms; inject a fake one for tests. @default performance.now */
  now?: Clock | undefined;
}

interface Estimate {
  /** Peak EWMA latency at `stamp`, ms. */
  value: number;
  stamp: number;
}

/** Latency assumed when nothing at all is known: any constant will do, as all servers then share it. */
const UNKNOWN_LATENCY_MS = 1;

/** Below this a latency counts as this, or a zero estimate would hide any in-flight load. */
const MIN_LATENCY_MS = 0.001;

const defaultClock: Clock = () => performance.now();

/**
 * Power of two choices on peak-EWMA latency, as in Finagle and Linkerd: draws
 * two distinct candidates and takes the cheaper, where
 * `cost = latency × (inFlight + 1)`. Adapts to slow servers within a few
 * requests, not just to busy ones. Ignores weights.
 *
 * The latency of each server is the balancer's own, fed by `onResult`:
 * - a sample above the current estimate replaces it at once (the "peak"), so
 *   a server turning slow is avoided immediately;
 * - a lower sample is blended in with weight `1 - exp(-elapsed / decayMs)`, so
 *   one fast answer does not wipe out a slow record;
 * - between samples the estimate fades toward 0 by `exp(-elapsed / decayMs)`,
 *   so a server that was avoided is eventually tried again, and a fresh sample
 *   either clears it or sets it back at its peak;
 * - failures (`server-error`, `timeout`) count as at least `failurePenaltyMs`;
 *   `aborted` attempts say nothing about the server and are ignored;
 * - a server without samples counts at `ServerView.latencyEwmaMs` if the pool
 *   has one, else at the median of the known servers, so it is neither flooded
 *   nor starved.
 */
export function p2cEwma(options: P2cEwmaOptions = {}): Balancer {
  const decayMs = options.decayMs ?? 10_000;
  const fixedPenalty = options.failurePenaltyMs;
  if (!(decayMs > 0 && decayMs < Number.POSITIVE_INFINITY)) {
    throw new InvalidConfigError('p2cEwma options', [
      { path: 'decayMs', message: `must be a positive number of ms, got ${decayMs}` },
    ]);
  }
  if (
    fixedPenalty !== undefined &&
    !(fixedPenalty >= 0 && fixedPenalty < Number.POSITIVE_INFINITY)
  ) {
    throw new InvalidConfigError('p2cEwma options', [
      {
        path: 'failurePenaltyMs',
        message: `must be a non-negative number of ms, got ${fixedPenalty}`,
      },
    ]);
  }
  const source = options.random ?? Math.random;
  const now = options.now ?? defaultClock;
  const estimates = new Map<string, Estimate>();
  // Median of the stored estimates, recomputed only when needed after a change.
  const scratch: number[] = [];
  let median: number | undefined;
  let medianStale = false;

  function knownMedian(): number | undefined {
    if (!medianStale) return median;
    medianStale = false;
    scratch.length = 0;
    for (const estimate of estimates.values()) scratch.push(estimate.value);
    median = medianOf(scratch);
    return median;
  }

  function cost(server: ServerView, time: number): number {
    const estimate = estimates.get(server.id);
    let latency: number;
    if (estimate !== undefined) {
      latency = estimate.value * Math.exp(-Math.max(time - estimate.stamp, 0) / decayMs);
    } else {
      latency = server.latencyEwmaMs ?? knownMedian() ?? UNKNOWN_LATENCY_MS;
    }
    return Math.max(latency, MIN_LATENCY_MS) * (server.inFlight + 1);
  }

  return {
    name: 'p2c_ewma',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      const length = candidates.length;
      if (length === 0) noCandidates();
      if (length === 1) return candidates[0]!;
      const first = randomIndex(source, length);
      let second = randomIndex(source, length - 1);
      if (second >= first) second++;
      const a = candidates[first]!;
      const b = candidates[second]!;
      const time = now();
      return cost(b, time) < cost(a, time) ? b : a;
    },
    onResult(report: AttemptReport): void {
      const outcome = report.outcome;
      if (outcome === 'aborted') return;
      let sample = report.latencyMs;
      if (!(sample >= 0)) sample = 0;
      if (outcome === 'server-error' || outcome === 'timeout') {
        const penalty = fixedPenalty ?? 5 * (knownMedian() ?? sample);
        if (sample < penalty) sample = penalty;
      }
      const time = now();
      const id = report.server.id;
      const estimate = estimates.get(id);
      if (estimate === undefined) {
        estimates.set(id, { value: sample, stamp: time });
      } else {
        const w = Math.exp(-Math.max(time - estimate.stamp, 0) / decayMs);
        const current = estimate.value * w;
        estimate.value = sample > current ? sample : current * w + sample * (1 - w);
        estimate.stamp = time;
      }
      medianStale = true;
    },
    onRemove(serverId: string): void {
      if (estimates.delete(serverId)) medianStale = true;
    },
  };
}

/** Median of `values`, reordering them in place; undefined when empty. O(n) on average. */
export function medianOf(values: number[]): number | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const half = n >> 1;
  const upper = select(values, half);
  if (n % 2 === 1) return upper;
  // After selection everything before `half` is at most `upper`: the lower middle is their maximum.
  let lower = values[0]!;
  for (let i = 1; i < half; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** Hoare's quickselect: puts the k-th smallest value at index k and returns it. */
function select(values: number[], k: number): number {
  let left = 0;
  let right = values.length - 1;
  while (left < right) {
    const pivot = values[(left + right) >> 1]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return values[k]!;
}
