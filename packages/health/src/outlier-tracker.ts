import type { AttemptReport } from '@mcpool/core';
import { decayedMultiplier, ejectionDuration } from './ejection.js';
import { isUnreachable, messageOf, saysNothingAboutServer } from './failure.js';

/** Settings of passive outlier detection, resolved (see `OutlierDetectionOptions`). */
export interface OutlierSettings {
  readonly consecutiveErrors: number;
  readonly consecutiveRefused: number;
  readonly baseEjectionTime: number;
  readonly maxEjectionTime: number;
}

/** What one attempt on a server says about it. */
export type Observation =
  /** The server answered (a tool's `isError` result and a rejected request are answers). */
  | { kind: 'answer' }
  /** A server fault: transport error, internal error, timeout. */
  | { kind: 'fault'; detail: string }
  /** The server could not even be reached (connection refused, host unreachable). */
  | { kind: 'refused'; detail: string };

/** Passive state of one server. */
export interface OutlierRecord {
  consecutiveFaults: number;
  consecutiveRefused: number;
  /** Ejections in a row, decayed while the server behaves; sets the ejection time. */
  multiplier: number;
  /** Every ejection so far. */
  ejections: number;
  /** ms since epoch; set while ejected. */
  ejectedUntil: number | undefined;
  /** Why it was last ejected. */
  reason: string | undefined;
  /** Back in selection after an ejection and not yet proven: one fault ejects it again. */
  probation: boolean;
  /** When the last ejection ended (ms since epoch). */
  releasedAt: number | undefined;
}

/**
 * Envoy-style consecutive-error outlier detection, without timers or a pool:
 * the caller feeds it observations, asks whether to eject, and tells it when
 * an ejection starts and ends. Time comes from `now`, so tests need no clock.
 */
export class OutlierTracker {
  private readonly records = new Map<string, OutlierRecord>();

  constructor(
    private readonly settings: OutlierSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The record of a server, created on first use. */
  get(serverId: string): OutlierRecord {
    let record = this.records.get(serverId);
    if (!record) {
      record = {
        consecutiveFaults: 0,
        consecutiveRefused: 0,
        multiplier: 0,
        ejections: 0,
        ejectedUntil: undefined,
        reason: undefined,
        probation: false,
        releasedAt: undefined,
      };
      this.records.set(serverId, record);
    }
    return record;
  }

  peek(serverId: string): OutlierRecord | undefined {
    return this.records.get(serverId);
  }

  delete(serverId: string): void {
    this.records.delete(serverId);
  }

  isEjected(serverId: string): boolean {
    return this.records.get(serverId)?.ejectedUntil !== undefined;
  }

  /** Servers ejected now. */
  ejectedCount(): number {
    let n = 0;
    for (const r of this.records.values()) if (r.ejectedUntil !== undefined) n++;
    return n;
  }

  /**
   * Records what an attempt of real traffic says about its server (see
   * `observe`). Returns the reason to eject the server now, or undefined.
   */
  observeAttempt(serverId: string, report: AttemptReport): string | undefined {
    const observation = observe(report);
    return observation === undefined ? undefined : this.observe(serverId, observation);
  }

  /** Records an answer of real traffic (what `observeAttempt` does with one). */
  answered(serverId: string): void {
    this.observe(serverId, ANSWER);
  }

  /**
   * Records one attempt's observation. Returns the reason to eject the server
   * now, or undefined. Attempts that end while the server is ejected are
   * ignored: they started before the ejection or run in panic mode.
   */
  observe(serverId: string, observation: Observation): string | undefined {
    const r = this.get(serverId);
    if (r.ejectedUntil !== undefined) return undefined;
    if (observation.kind === 'answer') {
      r.consecutiveFaults = 0;
      r.consecutiveRefused = 0;
      r.probation = false;
      return undefined;
    }
    r.consecutiveFaults++;
    if (observation.kind === 'refused') r.consecutiveRefused++;
    else r.consecutiveRefused = 0;
    const { consecutiveErrors, consecutiveRefused } = this.settings;
    if (r.probation) {
      return `failed again right after its last ejection ended (${observation.detail})`;
    }
    if (observation.kind === 'refused' && r.consecutiveRefused >= consecutiveRefused) {
      return r.consecutiveRefused === 1
        ? `connection refused (${observation.detail})`
        : `connection refused ${r.consecutiveRefused} times in a row (${observation.detail})`;
    }
    if (r.consecutiveFaults >= consecutiveErrors) {
      return `${r.consecutiveFaults} consecutive server faults (last: ${observation.detail})`;
    }
    return undefined;
  }

  /** Starts an ejection; returns its length in ms. */
  eject(serverId: string, reason: string): number {
    const r = this.get(serverId);
    const now = this.now();
    const { baseEjectionTime, maxEjectionTime } = this.settings;
    const backInFor = r.releasedAt === undefined ? 0 : now - r.releasedAt;
    r.multiplier = decayedMultiplier(r.multiplier, backInFor, baseEjectionTime) + 1;
    const duration = ejectionDuration(r.multiplier, baseEjectionTime, maxEjectionTime);
    r.ejections++;
    r.ejectedUntil = now + duration;
    r.reason = reason;
    r.probation = false;
    r.consecutiveFaults = 0;
    r.consecutiveRefused = 0;
    return duration;
  }

  /** Ends an ejection: the server is back, on probation until its next answer. */
  release(serverId: string): void {
    const r = this.records.get(serverId);
    if (!r || r.ejectedUntil === undefined) return;
    r.ejectedUntil = undefined;
    r.releasedAt = this.now();
    r.probation = true;
  }
}

/** Most attempts answer: one observation for all of them, never changed. */
const ANSWER: Observation = Object.freeze({ kind: 'answer' });

/** What an attempt of real traffic says about its server; undefined when nothing. */
export function observe(report: AttemptReport): Observation | undefined {
  const { outcome, error } = report;
  if (outcome === 'success' || outcome === 'rejected') return ANSWER;
  if (outcome === 'aborted' || saysNothingAboutServer(error)) return undefined;
  const detail = `${outcome}: ${messageOf(error)}`;
  return isUnreachable(error) ? { kind: 'refused', detail } : { kind: 'fault', detail };
}
