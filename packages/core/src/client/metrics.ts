import { LatencyRecorder } from '../util/latency.js';
import type { ClientMetrics } from './options.js';

/** Call latencies kept waiting at most (see `ClientFigures.pending`). */
const PENDING_MAX = 64;

/** The figures of one client: counted once per whole call, read by `getMetrics()`. */
export class ClientFigures {
  private readonly latency = new LatencyRecorder(1024);
  private readonly counters = {
    totalRequests: 0,
    successfulRequests: 0,
    failedRequests: 0,
    fallbackUsed: 0,
    retries: 0,
  };
  private readonly strategyUsage = new Map<string, number>();
  /**
   * Latencies of calls not yet given to the recorder: they go on read, or once
   * `PENDING_MAX` wait, so that a call ends here without a call further on.
   */
  private readonly pending: number[] = [];

  /** One whole call ended. */
  finish(ok: boolean, started: number, strategy: string, fellBack = false): void {
    this.counters.totalRequests++;
    if (ok) this.counters.successfulRequests++;
    else this.counters.failedRequests++;
    if (fellBack) this.counters.fallbackUsed++;
    this.strategyUsage.set(strategy, (this.strategyUsage.get(strategy) ?? 0) + 1);
    if (this.pending.push(performance.now() - started) >= PENDING_MAX) this.flush();
  }

  /** One retry on another server. */
  retried(): void {
    this.counters.retries++;
  }

  /** The seed's client metrics, plus retries and latency percentiles. */
  snapshot(): ClientMetrics {
    this.flush();
    const p = this.latency.percentiles();
    return {
      ...this.counters,
      averageLatency: this.latency.averageMs,
      latencyP50: p.p50,
      latencyP95: p.p95,
      latencyP99: p.p99,
      strategyUsage: Object.fromEntries(this.strategyUsage),
    };
  }

  private flush(): void {
    for (const ms of this.pending) this.latency.record(ms);
    this.pending.length = 0;
  }
}
