import type { AttemptReport, Balancer, ServerView } from '@mcpool/core';
import { checkOptions, optionOf } from '@mcpool/core/internal';
import { z } from 'zod';
import { medianOf } from './median.js';
import { createRotation } from './rotation.js';
import { type Clock, noCandidates, type RandomSource } from './shared.js';
import { drawTwo, type Pair } from './two-choices.js';

export { medianOf } from './median.js';

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
   * the first wave. Picked past this bound only when every candidate drawn
   * is at it.
   * @default 1
   */
  maxProbes?: number | undefined;
  /** Source of uniform numbers in [0, 1); inject a seeded one for reproducible tests. @default Math.random */
  random?: RandomSource | undefined;
  /** Clock in ms; inject a fake one for tests. @default performance.now */
  now?: Clock | undefined;
}

/** What the balancer knows of one server. */
interface Track {
  /** Peak EWMA latency at `stamp`, ms; meaningful when `sampled`. */
  value: number;
  stamp: number;
  sampled: boolean;
  /** Answered since it joined or last failed: no probe bound. */
  proven: boolean;
  /** Start times of the requests in flight that `onStart` announced, oldest first. */
  starts: number[];
}

/** Below this a latency counts as this, or a zero estimate would hide any in-flight load. */
const MIN_LATENCY_MS = 0.001;

/** Added to the cost of a server at its probe bound: above any real cost, still ordered by it. */
const AT_PROBE_BOUND = 1e12;

/** A server silent for this many `decayMs` is under the probe bound again. */
const STALE_DECAYS = 3;

const defaultClock: Clock = () => performance.now();

const atLeast = (min: number, integer: boolean) =>
  optionOf<number>(
    (v) =>
      typeof v === 'number' &&
      v >= min &&
      v < Number.POSITIVE_INFINITY &&
      (!integer || Number.isInteger(v)),
    `must be ${integer ? 'an integer' : 'a number'} of at least ${min}${integer ? '' : ' ms'}`,
  );

/** The options of `p2cEwma`, as zod checks them. */
const p2cEwmaOptionsSchema = z.object({
  decayMs: optionOf<number>(
    (v) => typeof v === 'number' && v > 0 && v < Number.POSITIVE_INFINITY,
    'must be a positive number of ms',
  ),
  failurePenaltyMs: atLeast(0, false),
  newServerRttMs: atLeast(0, false),
  defaultRttMs: atLeast(0, false),
  maxProbes: atLeast(1, true),
});

/**
 * Power of two choices on peak-EWMA latency, as in Finagle and Linkerd: draws
 * two distinct candidates and takes the cheaper, where
 * `cost = latency × (inFlight + 1)`. Adapts to slow servers within a few
 * requests, not just to busy ones. Ignores weights. O(1) per pick.
 *
 * The latency of each server is the balancer's own, fed by `onStart` and `onResult`:
 * - a sample above the current estimate replaces it at once (the "peak"), so
 *   a server turning slow is avoided immediately;
 * - a lower sample is blended in with weight `1 - exp(-elapsed / decayMs)`, so
 *   one fast answer does not wipe out a slow record;
 * - between samples the estimate fades toward 0 by `exp(-elapsed / decayMs)`,
 *   so a server that was avoided is eventually tried again, and a fresh sample
 *   either clears it or sets it back at its peak;
 * - a request in flight longer than the estimate is evidence too: the latency
 *   counts at least the age of the server's oldest outstanding request, so a
 *   server that stopped answering is avoided before its first slow answer;
 * - failures (`server-error`, `timeout`) count as at least `failurePenaltyMs`;
 *   `aborted` attempts are ignored;
 * - a server that has never answered counts at `newServerRttMs` (its
 *   `ServerView.latencyEwmaMs` if the pool has one);
 * - a server that has not answered yet, failed last, or has been silent for
 *   three `decayMs` gets at most `maxProbes` requests at once, so a slow
 *   newcomer (or a server back from an outage) is neither flooded in the
 *   first wave nor starved.
 */
export function p2cEwma(options: P2cEwmaOptions = {}): Balancer {
  const decayMs = options.decayMs ?? 10_000;
  const fixedPenalty = options.failurePenaltyMs;
  const newServerRtt = options.newServerRttMs;
  const defaultRtt = options.defaultRttMs ?? 30;
  const maxProbes = options.maxProbes ?? 1;
  checkOptions('p2cEwma options', p2cEwmaOptionsSchema, options);
  const staleMs = STALE_DECAYS * decayMs;
  const source = options.random ?? Math.random;
  const now = options.now ?? defaultClock;
  const tracks = new Map<string, Track>();
  const rotation = createRotation();
  const pair: Pair = { first: 0, second: 0 };
  // Median of the sampled estimates, recomputed only when needed after a change.
  const scratch: number[] = [];
  let median: number | undefined;
  let medianStale = false;
  // The time of the pick in progress, read once for both draws.
  let time = 0;

  function knownMedian(): number | undefined {
    if (!medianStale) return median;
    medianStale = false;
    scratch.length = 0;
    for (const track of tracks.values()) if (track.sampled) scratch.push(track.value);
    median = medianOf(scratch);
    return median;
  }

  function newcomerLatency(): number {
    return newServerRtt ?? knownMedian() ?? defaultRtt;
  }

  function trackOf(id: string): Track {
    let track = tracks.get(id);
    if (track === undefined) {
      track = { value: 0, stamp: 0, sampled: false, proven: false, starts: [] };
      tracks.set(id, track);
    }
    return track;
  }

  function cost(server: ServerView): number {
    const track = tracks.get(server.id);
    let latency: number;
    let proven = false;
    if (track?.sampled) {
      const elapsed = Math.max(time - track.stamp, 0);
      latency = track.value * Math.exp(-elapsed / decayMs);
      // A long silence does not raise the faded estimate (it is what brings an
      // avoided server back), but the server is probed again as if new.
      proven = track.proven && elapsed < staleMs;
    } else {
      latency = server.latencyEwmaMs ?? newcomerLatency();
    }
    let outstanding = 0;
    if (track !== undefined) {
      outstanding = track.starts.length;
      // The pool counts a request in flight before it announces it and until
      // after its result: with none in flight, any start left is one whose
      // result never came, and must not make the server look slower forever.
      if (outstanding > 0 && server.inFlight === 0) {
        track.starts.length = 0;
        outstanding = 0;
      }
      if (outstanding > 0) {
        const age = time - track.starts[0]!;
        if (age > latency) latency = age;
      }
    }
    const base = Math.max(latency, MIN_LATENCY_MS) * (server.inFlight + 1);
    return !proven && outstanding >= maxProbes ? AT_PROBE_BOUND + base : base;
  }

  return {
    name: 'p2c_ewma',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      if (candidates.length === 0) noCandidates();
      time = now();
      // The two-choices draw p2c() shares; the costs are compared here, where they are made.
      let picked: S;
      let best: number;
      if (candidates.length === 1) {
        picked = candidates[0]!;
        best = cost(picked);
      } else {
        const { first, second } = drawTwo(candidates.length, source, pair);
        const a = candidates[first]!;
        const b = candidates[second]!;
        const costA = cost(a);
        const costB = cost(b);
        picked = costB < costA ? b : a;
        best = Math.min(costA, costB);
      }
      if (best < AT_PROBE_BOUND) return picked;
      // Both draws are newcomers at their bound (a cold start's first wave):
      // nothing is known, so spread evenly rather than let the draws pile up.
      return candidates[rotation.next(candidates.length)]!;
    },
    onStart(server: ServerView): void {
      trackOf(server.id).starts.push(now());
    },
    onResult(report: AttemptReport): void {
      const time = now();
      const id = report.server.id;
      const track = tracks.get(id);
      let sample = report.latencyMs;
      if (!(sample >= 0)) sample = 0;
      if (track !== undefined && track.starts.length > 0) forget(track.starts, time - sample);
      const outcome = report.outcome;
      if (outcome === 'aborted') return;
      const failed = outcome === 'server-error' || outcome === 'timeout';
      if (failed) {
        const penalty = fixedPenalty ?? 5 * (knownMedian() ?? sample);
        if (sample < penalty) sample = penalty;
      }
      const entry = track ?? trackOf(id);
      if (!entry.sampled) {
        entry.value = sample;
        entry.sampled = true;
      } else {
        const w = Math.exp(-Math.max(time - entry.stamp, 0) / decayMs);
        const current = entry.value * w;
        entry.value = sample > current ? sample : current * w + sample * (1 - w);
      }
      entry.stamp = time;
      entry.proven = !failed;
      medianStale = true;
    },
    onRemove(serverId: string): void {
      const track = tracks.get(serverId);
      if (track === undefined) return;
      tracks.delete(serverId);
      if (track.sampled) medianStale = true;
    },
  };
}

/** Removes from `starts` (ascending) the start time closest to `start`. */
function forget(starts: number[], start: number): void {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && start - starts[lo - 1]! < starts[lo]! - start) lo--;
  starts.splice(lo, 1);
}
