/**
 * Time the client itself lost: stretches in which its process did not run
 * (a garbage collection, a machine short of CPU) while requests were out.
 * Every request out during such a stall comes back that much later, whatever
 * server it went to; p2cEwma takes the lost time out of latencies and ages so
 * that a stall does not make the busy servers look slower than an idle one.
 */
export interface LostTime {
  /** All the time lost so far, ms: a clock reading minus this is the balancer's time. */
  total: number;
  /** Of `total`, what a request started at clock time `start` sat through. */
  since(start: number): number;
  /**
   * What the latest stall cost a request started at clock time `start` and
   * answered now, if it was out through it: the only stall that can have
   * held its answer back, since after an earlier one an answer already in
   * would have come in at once.
   */
  latest(start: number): number;
  /** `lag` ms were lost in a stall that ended at clock time `end`. */
  add(end: number, lag: number): void;
}

/** Stalls remembered; a request out through more of them has only the latest taken off. */
const KEPT = 16;

export function createLostTime(): LostTime {
  const ends: number[] = [];
  const lags: number[] = [];
  // A plain field, not a getter: every pick reads it.
  const lost: LostTime = {
    total: 0,
    since(start: number): number {
      let sum = 0;
      // Newest first; usually none ended after the request started.
      for (let i = ends.length - 1; i >= 0 && ends[i]! > start; i--) sum += lags[i]!;
      return sum;
    },
    latest(start: number): number {
      const last = ends.length - 1;
      return last >= 0 && ends[last]! > start ? lags[last]! : 0;
    },
    add(end: number, lag: number): void {
      if (ends.length === KEPT) {
        ends.shift();
        lags.shift();
      }
      ends.push(end);
      lags.push(lag);
      lost.total += lag;
    },
  };
  return lost;
}
