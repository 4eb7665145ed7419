import type { AttemptOutcome } from '@mcpool/core';

/** Attempts seen in a time window, by outcome. */
export interface AttemptCounts {
  total: number;
  byOutcome: Record<AttemptOutcome, number>;
}

const OUTCOMES: readonly AttemptOutcome[] = [
  'success',
  'rejected',
  'server-error',
  'timeout',
  'aborted',
];

interface Bucket {
  start: number;
  counts: number[];
}

/**
 * Counts attempts by outcome over a sliding window, in fixed buckets (1/120
 * of the retention, at least 100 ms), so memory stays bounded however busy
 * the pool is. A window may reach up to one bucket further back than asked.
 */
export class AttemptWindow {
  private readonly buckets: Bucket[] = [];
  readonly bucketMs: number;

  constructor(readonly retentionMs: number) {
    this.bucketMs = Math.max(100, Math.ceil(retentionMs / 120));
  }

  record(outcome: AttemptOutcome, now: number): void {
    const start = now - (now % this.bucketMs);
    let last = this.buckets.at(-1);
    if (!last || last.start < start) {
      last = { start, counts: OUTCOMES.map(() => 0) };
      this.buckets.push(last);
      this.prune(now);
    }
    const at = OUTCOMES.indexOf(outcome);
    // A clock that steps back lands in the newest bucket rather than reorder them.
    last.counts[at] = (last.counts[at] ?? 0) + 1;
  }

  /** Attempts in the last `windowMs` (at most the retention). */
  counts(windowMs: number, now: number): AttemptCounts {
    this.prune(now);
    const from = now - Math.min(windowMs, this.retentionMs);
    const byOutcome = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<
      AttemptOutcome,
      number
    >;
    let total = 0;
    for (const bucket of this.buckets) {
      if (bucket.start + this.bucketMs <= from) continue;
      OUTCOMES.forEach((o, i) => {
        const n = bucket.counts[i] ?? 0;
        byOutcome[o] += n;
        total += n;
      });
    }
    return { total, byOutcome };
  }

  private prune(now: number): void {
    const from = now - this.retentionMs;
    while (this.buckets.length > 0 && (this.buckets[0] as Bucket).start + this.bucketMs <= from) {
      this.buckets.shift();
    }
  }
}
