/** Latency percentiles over the recent window, ms. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/**
 * Latency figures for one server or client: an EWMA for balancing and a ring
 * of recent samples for percentiles. Percentiles are computed on read, so
 * recording stays O(1) on the hot path.
 */
export class LatencyRecorder {
  private readonly ring: Float64Array;
  private next = 0;
  private size = 0;
  private ewma: number | undefined;
  private sum = 0;
  private count = 0;

  constructor(
    capacity = 512,
    private readonly alpha = 0.2,
  ) {
    this.ring = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.ring.length;
    if (this.size < this.ring.length) this.size++;
    this.ewma = this.ewma === undefined ? ms : this.ewma + this.alpha * (ms - this.ewma);
    this.sum += ms;
    this.count++;
  }

  get ewmaMs(): number | undefined {
    return this.ewma;
  }

  get averageMs(): number {
    return this.count === 0 ? 0 : this.sum / this.count;
  }

  get samples(): number {
    return this.count;
  }

  percentiles(): LatencyPercentiles {
    if (this.size === 0) return { p50: 0, p95: 0, p99: 0 };
    const sorted = Array.from(this.ring.subarray(0, this.size)).sort((a, b) => a - b);
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
    return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
  }
}
