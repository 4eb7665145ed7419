import type { AttemptReport, Balancer, ServerView } from '@mcpool/core';
import { checkOptions } from '@mcpool/core/internal';
import { createLostTime } from './lost-time.js';
import { medianOf } from './median.js';
import { type P2cEwmaOptions, p2cEwmaOptionsSchema } from './p2c-ewma-options.js';
import { createRotation } from './rotation.js';
import { type Clock, noCandidates } from './shared.js';
import { drawTwo, type Pair } from './two-choices.js';

export { medianOf } from './median.js';
export type { P2cEwmaOptions } from './p2c-ewma-options.js';

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

/** A silence shorter than this is not looked into, and a shorter shared lateness is not a stall. */
const STALL_MIN_MS = 1;

/** Candidates read in turn when both draws are at their probe bound. */
const FALLBACK_SCAN = 16;

/** Busy servers read to judge a silence: every one is late in a stall, so a few tell. */
const STALL_SCAN = 64;

const defaultClock: Clock = () => performance.now();

/**
 * Power of two choices on peak-EWMA latency, as in Finagle and Linkerd: draws
 * two distinct candidates and takes the cheaper, where
 * `cost = latency × (inFlight + 1)`. Adapts to slow servers within a few
 * requests, not just to busy ones. Ignores weights. O(1) per pick.
 *
 * The latency of each server is the balancer's own, fed by `onStart` and `onResult`:
 * - a sample above the current estimate replaces it at once (the "peak"), so
 *   a server turning slow is avoided immediately;
 * - a lower sample is blended in with weight `1 - exp(-elapsed / decayMs)`,
 *   and at least `1 / recoverySamples`, so one fast answer does not wipe out
 *   a slow record, and a busy server's estimate is not the worst of its
 *   thousands of answers (the noise in them) for `decayMs`;
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
 *   first wave nor starved; when both draws are at that bound, the cheapest
 *   of the next candidates in turn is taken;
 * - the client's own stalls count against no server (`discountStalls`): after
 *   a silence at whose end two busy servers or more are late, the lateness
 *   they share is taken out of the ages of the requests out through it and
 *   out of the latency of the answers that come in after it, so a stall does
 *   not make the busy servers look slower than an idle slow one.
 */
export function p2cEwma(options: P2cEwmaOptions = {}): Balancer {
  const decayMs = options.decayMs ?? 10_000;
  const fixedPenalty = options.failurePenaltyMs;
  const newServerRtt = options.newServerRttMs;
  const defaultRtt = options.defaultRttMs ?? 30;
  const maxProbes = options.maxProbes ?? 1;
  const discountStalls = options.discountStalls ?? true;
  const keepAtMost = 1 - 1 / (options.recoverySamples ?? 8);
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
  // Stalls: the servers with requests out, the clock at the last call in, and the time lost.
  const busy = new Set<Track>();
  // The clock at the last call in, in a typed slot: a number stored in a
  // closure variable on every pick would be a new heap number each time.
  const lastCall = new Float64Array([Number.POSITIVE_INFINITY]);
  const lost = createLostTime();

  /**
   * The balancer's time: the clock less the time the client lost. Reads the
   * clock once per call in; a silence since the previous one is looked into
   * when two servers or more had requests out through it.
   */
  function tick(): number {
    const clock = now();
    if (busy.size > 1 && clock - lastCall[0]! > STALL_MIN_MS && discountStalls) judgeSilence(clock);
    lastCall[0] = clock;
    return clock - lost.total;
  }

  /**
   * After a silence (no pick, start or result from `lastCall[0]` to `clock`):
   * when two busy servers or more are late by its end (their oldest request
   * out longer than their estimate, by a stall's least within the silence),
   * the lateness they share was the client's. One late server is just slow;
   * a server not due yet, or barely late, tells nothing either way.
   */
  function judgeSilence(clock: number): void {
    const end = clock - lost.total;
    const from = lastCall[0]! - lost.total;
    let shared = end - from;
    let late = 0;
    let read = 0;
    for (const track of busy) {
      if (++read > STALL_SCAN) break;
      const start = track.starts[0];
      if (start === undefined) continue;
      const due = start + expectedOf(track, end);
      const lateness = end - Math.max(due, from);
      if (lateness < STALL_MIN_MS) continue;
      late++;
      if (lateness < shared) shared = lateness;
    }
    if (late >= 2) lost.add(clock, shared);
  }

  function expectedOf(track: Track, at: number): number {
    if (!track.sampled) return newcomerLatency();
    return track.value * Math.exp(-Math.max(at - track.stamp, 0) / decayMs);
  }

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
        busy.delete(track);
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

  /**
   * Both draws were at their probe bound: the cheapest of the next few
   * candidates in turn. In a cold start's first wave every one is at it and
   * this spreads the wave evenly; later it finds one that has answered
   * rather than send a newcomer more than its probes.
   */
  function pastTheDraw<S extends ServerView>(candidates: readonly S[]): S {
    const n = candidates.length;
    const first = rotation.next(n);
    let picked = candidates[first]!;
    let best = cost(picked);
    const last = first + Math.min(n, FALLBACK_SCAN);
    for (let i = first + 1; i < last; i++) {
      const candidate = candidates[i % n]!;
      const c = cost(candidate);
      if (c < best) {
        best = c;
        picked = candidate;
      }
    }
    return picked;
  }

  return {
    name: 'p2c_ewma',
    pick<S extends ServerView>(candidates: readonly S[]): S {
      if (candidates.length === 0) noCandidates();
      time = tick();
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
      return pastTheDraw(candidates);
    },
    onStart(server: ServerView): void {
      const track = trackOf(server.id);
      if (track.starts.push(tick()) === 1) busy.add(track);
    },
    onResult(report: AttemptReport): void {
      const time = tick();
      const id = report.server.id;
      const track = tracks.get(id);
      let sample = report.latencyMs;
      if (!(sample >= 0)) sample = 0;
      // Starts are kept in the balancer's time, which leaves out every stall since.
      const start = time + lost.total - sample;
      if (track !== undefined && track.starts.length > 0) {
        forget(track.starts, time - sample + (lost.total > 0 ? lost.since(start) : 0));
        if (track.starts.length === 0) busy.delete(track);
      }
      // What the latest stall held the answer back is the client's, not the server's.
      const stalled = lost.total > 0 ? lost.latest(start) : 0;
      if (stalled > 0) {
        // It keeps a stall from raising the estimate; it never lowers one.
        const expected = track === undefined ? newcomerLatency() : expectedOf(track, time);
        sample = Math.max(sample - stalled, Math.min(sample, expected));
      }
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
        const keep = Math.min(w, keepAtMost);
        entry.value = sample > current ? sample : current * keep + sample * (1 - keep);
      }
      entry.stamp = time;
      entry.proven = !failed;
      medianStale = true;
    },
    onRemove(serverId: string): void {
      const track = tracks.get(serverId);
      if (track === undefined) return;
      tracks.delete(serverId);
      busy.delete(track);
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
