// Over 350 lines: the passive outlier rule and the active checks share one state
// (who is excluded, by which source, until when) and one attach/detach.
import {
  AbortedError,
  type AttemptReport,
  type Detach,
  InvalidConfigError,
  type PoolPlugin,
  type RequestInfo,
  type ServerPool,
  type ServerView,
  UnknownServerError,
} from '@mcpool/core';
import { LatencyRecorder } from '@mcpool/core/internal';
import { runCheck } from './active-check.js';
import { maxEjected } from './ejection.js';
import { HealthEmitter } from './events.js';
import { messageOf } from './failure.js';
import { type HealthCheckerOptions, type HealthSettings, resolveHealthOptions } from './options.js';
import { OutlierTracker } from './outlier-tracker.js';
import { type ServerHealthStatus, type ServerRecord, statusOf } from './status.js';

const _PING: RequestInfo = { method: 'ping', params: undefined, safe: true };
const _LIST_TOOLS: RequestInfo = { method: 'tools/list', params: {}, safe: true };

/**
 * Keeps sick servers out of a pool's selection, two ways:
 *
 * - active checks: every server is checked on a timer (MCP `ping` by
 *   default); after `maxFailures` failed checks in a row it is excluded with
 *   source `health`, and after `healthyThreshold` passed checks it is back;
 * - passive outlier detection: real traffic is watched through the plugin
 *   hook `onAttempt`; `consecutiveErrors` server faults in a row (or one
 *   refused connection) eject the server (source `outlier`) for
 *   `baseEjectionTime × times ejected`, at most `maxEjectionTime`.
 *
 * Only server faults count: an `isError` tool result, a rejected request
 * (invalid params) or a caller's abort never makes a server sick.
 *
 * Install it as a plugin: `pool.use(new HealthChecker(options))`. One checker
 * serves one pool; detaching it (or closing the pool) stops every timer and
 * puts back the servers it excluded.
 */
export class HealthChecker extends HealthEmitter implements PoolPlugin {
  readonly name = 'health';
  private readonly settings: HealthSettings;
  private pool: ServerPool | undefined;
  private readonly records = new Map<string, ServerRecord>();
  private tracker: OutlierTracker | undefined;
  private stop: AbortController | undefined;
  private readonly subscriptions: { off: () => void }[] = [];
  /** Hears every attempt of the pool it is installed in (after the `attempt` event's listeners). */
  readonly onAttempt = (report: AttemptReport): void => this.recordAttempt(report);

  constructor(options: HealthCheckerOptions = {}) {
    super();
    this.settings = resolveHealthOptions(options);
  }

  /** Called by `pool.use()`. */
  attach(pool: ServerPool): Detach {
    if (this.pool) {
      throw new InvalidConfigError('health checker', [
        { path: '', message: 'is already attached to a pool; create one HealthChecker per pool' },
      ]);
    }
    this.pool = pool;
    this.reportTo = pool;
    this.stop = new AbortController();
    const { outlier, clock } = this.settings;
    this.tracker = outlier ? new OutlierTracker(outlier, () => clock.now()) : undefined;
    const onAdded = ({ server }: { server: ServerView }) => this.track(server.id);
    const onRemoved = ({ serverId }: { serverId: string }) => this.forget(serverId);
    pool.on('server:added', onAdded);
    pool.on('server:removed', onRemoved);
    this.subscriptions.push(
      { off: () => pool.off('server:added', onAdded) },
      { off: () => pool.off('server:removed', onRemoved) },
    );
    for (const server of pool.servers()) this.track(server.id);
    return () => this.detach();
  }

  /**
   * Checks one server (or every server) now, waits for the result and returns
   * the statuses. A check already running is awaited, not doubled. Does not
   * check when active checks are off (`check: false`).
   */
  async checkNow(serverId?: string): Promise<ServerHealthStatus[]> {
    const pool = this.requirePool();
    const ids = serverId === undefined ? [...this.records.keys()] : [serverId];
    for (const id of ids) {
      if (!this.records.has(id)) {
        throw new UnknownServerError(
          id,
          pool.servers().map((s) => s.id),
        );
      }
    }
    if (this.settings.check !== false) await Promise.all(ids.map((id) => this.runCheck(id)));
    return ids.map((id) => this.getStatus(id)).filter((s) => s !== undefined);
  }

  /** What the checker knows about one server; undefined for a server it does not track. */
  getStatus(serverId: string): ServerHealthStatus | undefined {
    const r = this.records.get(serverId);
    if (!r) return undefined;
    const now = this.settings.clock.now();
    return statusOf(r, this.tracker?.peek(serverId), this.isIdle(r, now));
  }

  /** The status of every server of the pool. */
  getStatuses(): ServerHealthStatus[] {
    return [...this.records.keys()].map((id) => this.getStatus(id)).filter((s) => s !== undefined);
  }

  private requirePool(): ServerPool {
    if (!this.pool) {
      throw new InvalidConfigError('health checker', [
        { path: '', message: 'is not attached to a pool; install it with pool.use(checker)' },
      ]);
    }
    return this.pool;
  }

  private track(serverId: string): void {
    if (this.records.has(serverId)) return;
    const { clock, check, interval, jitter } = this.settings;
    const record: ServerRecord = {
      id: serverId,
      trackedAt: clock.now(),
      timer: undefined,
      nextCheckAt: undefined,
      running: undefined,
      unhealthy: false,
      reason: undefined,
      consecutiveFailures: 0,
      consecutiveSuccesses: 0,
      checks: 0,
      failedChecks: 0,
      lastCheckAt: undefined,
      lastCheckOk: undefined,
      lastError: undefined,
      lastLatencyMs: undefined,
      latency: new LatencyRecorder(64),
      lastTrafficAt: undefined,
      ejectionTimer: undefined,
      probes: [],
    };
    this.records.set(serverId, record);
    // Spread the first checks of many servers over the jitter window.
    if (check !== false) this.schedule(record, interval * jitter * Math.random());
  }

  private forget(serverId: string): void {
    const r = this.records.get(serverId);
    if (!r) return;
    this.clearTimers(r);
    this.records.delete(serverId);
    this.tracker?.delete(serverId);
  }

  private clearTimers(r: ServerRecord): void {
    const { clock } = this.settings;
    if (r.timer !== undefined) clock.clearTimeout(r.timer);
    if (r.ejectionTimer !== undefined) clock.clearTimeout(r.ejectionTimer);
    r.timer = undefined;
    r.ejectionTimer = undefined;
    r.nextCheckAt = undefined;
  }

  private schedule(r: ServerRecord, delay: number): void {
    const { clock } = this.settings;
    if (r.timer !== undefined) clock.clearTimeout(r.timer);
    r.nextCheckAt = clock.now() + delay;
    r.timer = clock.setTimeout(() => {
      r.timer = undefined;
      r.nextCheckAt = undefined;
      void this.runCheck(r.id);
    }, delay);
  }

  private scheduleNext(r: ServerRecord): void {
    if (!this.pool || !this.stop || this.stop.signal.aborted) return;
    if (this.settings.check === false || this.records.get(r.id) !== r) return;
    const { interval, idleInterval, recoveryTimeout, jitter, clock } = this.settings;
    const base = r.unhealthy
      ? recoveryTimeout
      : this.isIdle(r, clock.now())
        ? idleInterval
        : interval;
    this.schedule(r, base * (1 + jitter * Math.random()));
  }

  private isIdle(r: ServerRecord, now: number): boolean {
    return now - (r.lastTrafficAt ?? r.trackedAt) >= this.settings.idleInterval;
  }

  private runCheck(serverId: string): Promise<void> {
    const r = this.records.get(serverId);
    if (!r) return Promise.resolve();
    if (r.running) return r.running;
    if (r.timer !== undefined) {
      this.settings.clock.clearTimeout(r.timer);
      r.timer = undefined;
      r.nextCheckAt = undefined;
    }
    const running = this.check(r).finally(() => {
      r.running = undefined;
      this.scheduleNext(r);
    });
    r.running = running;
    return running;
  }

  private async check(r: ServerRecord): Promise<void> {
    const pool = this.pool;
    const stop = this.stop;
    const check = this.settings.check;
    const server = pool?.server(r.id);
    if (!pool || !stop || stop.signal.aborted || check === false || !server) return;
    // Not started or still connecting: the pool's connection logic has it; don't open a session early.
    if (server.state === 'connecting' || server.state === 'draining' || server.state === 'closed') {
      return;
    }
    const result = await runCheck(pool, server, r, this.settings, check, stop.signal);
    if (!result || !this.pool) return;
    const { ok, failure, latencyMs } = result;
    const { clock } = this.settings;
    // Detached meanwhile, or the server was removed: the result no longer matters.
    if (stop.signal.aborted || this.records.get(r.id) !== r) return;
    r.checks++;
    r.lastCheckAt = clock.now();
    r.lastCheckOk = ok;
    r.lastLatencyMs = latencyMs;
    if (ok) {
      r.latency.record(latencyMs);
      r.lastError = undefined;
      this.passed(r);
    } else {
      r.failedChecks++;
      r.lastError = messageOf(failure);
      this.failed(r, r.lastError);
    }
    this.emit(
      'check',
      failure === undefined
        ? { serverId: r.id, ok, latencyMs }
        : { serverId: r.id, ok, latencyMs, error: failure },
    );
  }

  private passed(r: ServerRecord): void {
    r.consecutiveFailures = 0;
    r.consecutiveSuccesses++;
    if (!r.unhealthy || r.consecutiveSuccesses < this.settings.healthyThreshold) return;
    r.unhealthy = false;
    r.reason = undefined;
    const reason = `${r.consecutiveSuccesses} consecutive health checks passed`;
    if (this.pool?.server(r.id)) this.pool.include(r.id, 'health');
    this.emit('healthy', { serverId: r.id, source: 'health', reason });
  }

  private failed(r: ServerRecord, message: string): void {
    r.consecutiveSuccesses = 0;
    r.consecutiveFailures++;
    if (r.unhealthy || r.consecutiveFailures < this.settings.maxFailures) return;
    r.unhealthy = true;
    r.reason = `${r.consecutiveFailures} consecutive health checks failed (last: ${message})`;
    if (this.pool?.server(r.id)) this.pool.exclude(r.id, 'health', r.reason);
    this.emit('unhealthy', { serverId: r.id, source: 'health', reason: r.reason });
  }

  private recordAttempt(report: AttemptReport): void {
    if (report.background) return;
    const r = this.records.get(report.server.id);
    if (!r) return;
    const own = r.probes.indexOf(report.method);
    if (own >= 0) {
      r.probes.splice(own, 1);
      return;
    }
    r.lastTrafficAt = this.settings.clock.now();
    const tracker = this.tracker;
    if (!tracker) return;
    // An answer never ejects: the tracker only clears its count, and nothing waits for it here.
    if (report.outcome === 'success' || report.outcome === 'rejected') {
      tracker.answered(r.id);
      return;
    }
    const reason = tracker.observeAttempt(r.id, report);
    if (reason) this.eject(r, reason);
  }

  private eject(r: ServerRecord, reason: string): void {
    const pool = this.pool;
    const tracker = this.tracker;
    const outlier = this.settings.outlier;
    if (!pool || !tracker || !outlier || !pool.server(r.id)) return;
    const max = maxEjected(pool.servers().length, outlier.maxEjectionPercent);
    const ejected = tracker.ejectedCount();
    if (ejected >= max) {
      this.emit('ejection:skipped', {
        serverId: r.id,
        reason: `${reason}; not ejected: ${ejected} of ${max} allowed servers are ejected already (maxEjectionPercent ${outlier.maxEjectionPercent})`,
        ejected,
        max,
      });
      return;
    }
    const { clock } = this.settings;
    const duration = tracker.eject(r.id, reason);
    const record = tracker.get(r.id);
    const until = record.ejectedUntil;
    const full = `ejected as an outlier for ${duration} ms (ejection #${record.ejections}): ${reason}`;
    record.reason = full;
    pool.exclude(r.id, 'outlier', full);
    this.emit('unhealthy', { serverId: r.id, source: 'outlier', reason: full, until });
    if (r.ejectionTimer !== undefined) clock.clearTimeout(r.ejectionTimer);
    r.ejectionTimer = clock.setTimeout(() => {
      r.ejectionTimer = undefined;
      if (this.records.get(r.id) !== r || this.tracker !== tracker) return;
      tracker.release(r.id);
      if (this.pool?.server(r.id)) this.pool.include(r.id, 'outlier');
      this.emit('healthy', {
        serverId: r.id,
        source: 'outlier',
        reason: `ejection of ${duration} ms is over; on probation until its next answer`,
      });
    }, duration);
  }

  private async detach(): Promise<void> {
    const pool = this.pool;
    if (!pool) return;
    this.stop?.abort(new AbortedError('Health check', 'the health checker was detached'));
    for (const l of this.subscriptions.splice(0)) l.off();
    const running: Promise<void>[] = [];
    for (const r of this.records.values()) {
      this.clearTimers(r);
      if (r.running) running.push(r.running);
    }
    await Promise.allSettled(running);
    // Leave no server excluded by a checker that no longer watches it.
    if (!pool.isClosed) {
      for (const r of this.records.values()) {
        if (!pool.server(r.id)) continue;
        if (r.unhealthy) pool.include(r.id, 'health');
        if (this.tracker?.isEjected(r.id)) pool.include(r.id, 'outlier');
      }
    }
    for (const r of this.records.values()) this.clearTimers(r);
    this.records.clear();
    this.tracker = undefined;
    this.stop = undefined;
    this.pool = undefined;
    this.reportTo = undefined;
  }
}
