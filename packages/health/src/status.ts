import type { LatencyRecorder } from '@mcpool/core/internal';
import type { OutlierTracker } from './outlier-tracker.js';

/** What the health checker knows about one server. */
export interface ServerHealthStatus {
  readonly serverId: string;
  /**
   * Neither failing its active checks nor ejected as an outlier. Other sources
   * (the connection, a circuit breaker) may still keep it out of selection:
   * `pool.exclusions(id)` says who.
   */
  readonly healthy: boolean;
  /** Out of selection because its active checks failed (source `health`). */
  readonly failingChecks: boolean;
  /** Out of selection as an outlier of real traffic (source `outlier`). */
  readonly ejected: boolean;
  /** Why the checker keeps it out; undefined when it does not. */
  readonly reason: string | undefined;
  /** Active checks failed in a row. */
  readonly consecutiveFailures: number;
  /** Active checks passed in a row. */
  readonly consecutiveSuccesses: number;
  readonly checks: number;
  readonly failedChecks: number;
  /** ms since epoch. */
  readonly lastCheckAt: number | undefined;
  readonly lastCheckOk: boolean | undefined;
  readonly lastError: string | undefined;
  /** Response time of the last check, ms. */
  readonly lastLatencyMs: number | undefined;
  /** Moving average of passed checks' response times, ms. */
  readonly latencyEwmaMs: number | undefined;
  /** 95th percentile of recent passed checks' response times, ms. */
  readonly latencyP95Ms: number | undefined;
  /** ms since epoch; undefined when active checks are off or the checker is detached. */
  readonly nextCheckAt: number | undefined;
  /** No traffic (checks aside) for `idleInterval`: checked at that slower pace. */
  readonly idle: boolean;
  readonly lastTrafficAt: number | undefined;
  /** Server faults in a row in real traffic. */
  readonly consecutiveFaults: number;
  /** Times ejected as an outlier so far. */
  readonly ejections: number;
  /** ms since epoch; set while ejected. */
  readonly ejectedUntil: number | undefined;
  /** Back from an ejection and not yet proven: its next fault ejects it again, for longer. */
  readonly probation: boolean;
}

/** The checker's own record of one server. */
export interface ServerRecord {
  readonly id: string;
  readonly trackedAt: number;
  timer: unknown;
  nextCheckAt: number | undefined;
  running: Promise<void> | undefined;
  unhealthy: boolean;
  reason: string | undefined;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  checks: number;
  failedChecks: number;
  lastCheckAt: number | undefined;
  lastCheckOk: boolean | undefined;
  lastError: string | undefined;
  lastLatencyMs: number | undefined;
  readonly latency: LatencyRecorder;
  lastTrafficAt: number | undefined;
  ejectionTimer: unknown;
  /** Methods of this checker's own attempts in flight, so their `attempt` events are not traffic. */
  readonly probes: string[];
}

/** A server's status as `getStatus` reports it, from its record and its outlier state. */
export function statusOf(
  r: ServerRecord,
  o: ReturnType<OutlierTracker['peek']>,
  idle: boolean,
): ServerHealthStatus {
  const ejected = o?.ejectedUntil !== undefined;
  return {
    serverId: r.id,
    healthy: !r.unhealthy && !ejected,
    failingChecks: r.unhealthy,
    ejected,
    reason: r.unhealthy ? r.reason : ejected ? o?.reason : undefined,
    consecutiveFailures: r.consecutiveFailures,
    consecutiveSuccesses: r.consecutiveSuccesses,
    checks: r.checks,
    failedChecks: r.failedChecks,
    lastCheckAt: r.lastCheckAt,
    lastCheckOk: r.lastCheckOk,
    lastError: r.lastError,
    lastLatencyMs: r.lastLatencyMs,
    latencyEwmaMs: r.latency.ewmaMs,
    latencyP95Ms: r.latency.samples > 0 ? r.latency.percentiles().p95 : undefined,
    nextCheckAt: r.nextCheckAt,
    idle,
    lastTrafficAt: r.lastTrafficAt,
    consecutiveFaults: o?.consecutiveFaults ?? 0,
    ejections: o?.ejections ?? 0,
    ejectedUntil: o?.ejectedUntil,
    probation: o?.probation ?? false,
  };
}
