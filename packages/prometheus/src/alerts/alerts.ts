import { type AttemptReport, InvalidConfigError, type ServerPool } from '@mcpool/core';
import { checkOptions, optionOf, SafeEmitter } from '@mcpool/core/internal';
import { z } from 'zod';
import type { AlertResult, AlertRule, MetricsSnapshot } from './alert-rules.js';
import { AttemptWindow } from './attempt-window.js';

/** An alert that started or stopped firing. */
export interface AlertEvent {
  readonly name: string;
  readonly value: number;
  readonly threshold: number;
  readonly message: string;
  /** When it started firing, ms since epoch. */
  readonly since: number;
  /** The evaluation that raised this event, ms since epoch. */
  readonly at: number;
}

/** Events of an `AlertMonitor`. Each is raised once per transition. */
export interface AlertEvents {
  'alert:firing': [AlertEvent];
  'alert:resolved': [AlertEvent];
}

/** Options of `alerts()`. Every one is optional. */
export interface AlertsOptions {
  /** Time between evaluations, ms; `false` evaluates only when `evaluate()` is called. @default 15_000 */
  interval?: number | false | undefined;
  /**
   * Attempt history kept for `snapshot.attempts(windowMs)`, ms. Rules that
   * declare a longer `windowMs` (as `maxErrorRate` does) raise it.
   * @default 60_000
   */
  retentionMs?: number | undefined;
  /** Clock, ms since epoch; replace it to test windows without waiting. @default Date.now */
  now?: (() => number) | undefined;
}

/** What `alerts()` can watch: a pool, or an exporter attached to one. */
export type AlertSource = ServerPool | { readonly pool: ServerPool | undefined };

/**
 * Evaluates alert rules on a pool's figures (the seed's `checkAlerts`) and
 * raises `alert:firing` when a rule starts firing and `alert:resolved` when
 * it stops: once per transition, never on every evaluation.
 *
 * A rule that throws, or a listener that throws, is reported as the pool's
 * `pool:error` and does not stop the others.
 */
export function alerts(
  source: AlertSource,
  rules: readonly AlertRule[],
  options: AlertsOptions = {},
): AlertMonitor {
  return new AlertMonitor(source, rules, options);
}

const positiveMs = (v: unknown) => Number.isInteger(v) && (v as number) > 0;

/** The rules and options of `alerts()`, as zod checks them. */
const alertsSchema = z.object({
  rules: z.array(
    optionOf<AlertRule>((v) => typeof v === 'function', 'must be a function (snapshot) => result'),
  ),
  interval: optionOf<number | false>(
    (v) => v === false || positiveMs(v),
    'must be a positive integer of ms, or false',
  ),
  retentionMs: optionOf<number>(positiveMs, 'must be a positive integer of ms'),
});

const NO_POOL = {
  path: 'source',
  message: 'the exporter is not attached to a pool yet; call pool.use(exporter) first',
};

export class AlertMonitor extends SafeEmitter<AlertEvents> {
  private readonly pool: ServerPool;
  private readonly rules: readonly AlertRule[];
  private readonly window: AttemptWindow;
  private readonly now: () => number;
  private readonly active = new Map<number, AlertEvent>();
  private readonly onAttempt: (report: AttemptReport) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(source: AlertSource, rules: readonly AlertRule[], options: AlertsOptions = {}) {
    super();
    const pool = isPool(source) ? source : source.pool;
    checkOptions('alerts', alertsSchema, { rules, ...options }, pool ? [] : [NO_POOL]);
    if (!pool) throw new InvalidConfigError('alerts', [NO_POOL]);
    const interval = options.interval ?? 15_000;
    const retention = options.retentionMs ?? 60_000;
    this.pool = pool;
    this.rules = [...rules];
    this.now = options.now ?? Date.now;
    const longest = Math.max(retention, ...this.rules.map((r) => r.windowMs ?? 0));
    this.window = new AttemptWindow(longest);
    this.onAttempt = (report) => this.window.record(report.outcome, this.now());
    pool.on('attempt', this.onAttempt);
    if (interval !== false) {
      this.timer = setInterval(() => this.evaluate(), interval);
      this.timer.unref();
    }
  }

  /** Runs every rule now, raises the transitions, and returns the alerts firing afterwards. */
  evaluate(): AlertEvent[] {
    const at = this.now();
    const snapshot: MetricsSnapshot = {
      at,
      pool: this.pool.getMetrics(),
      attempts: (windowMs) => this.window.counts(windowMs, at),
    };
    this.rules.forEach((rule, i) => {
      let result: AlertResult | undefined;
      try {
        result = rule(snapshot);
      } catch (error) {
        this.pool.emit('pool:error', { source: `alert rule ${rule.name || `#${i}`}`, error });
        return;
      }
      const current = this.active.get(i);
      if (result !== undefined && result.firing !== false) {
        const event: AlertEvent = {
          name: result.name,
          value: result.value,
          threshold: result.threshold,
          message: result.message,
          since: current?.since ?? at,
          at,
        };
        this.active.set(i, event);
        if (!current) this.emit('alert:firing', event);
      } else if (current) {
        this.active.delete(i);
        this.emit('alert:resolved', {
          name: current.name,
          value: result?.value ?? current.value,
          threshold: result?.threshold ?? current.threshold,
          message: result?.message ?? `${current.name} resolved.`,
          since: current.since,
          at,
        });
      }
    });
    return this.firing();
  }

  /** Alerts firing as of the last evaluation, with their latest figures. */
  firing(): AlertEvent[] {
    return [...this.active.values()];
  }

  /** Stops the timer and the attempt listener. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.pool.off('attempt', this.onAttempt);
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  /** A throwing listener is reported as the pool's `pool:error`; the other listeners still run. */
  protected override listenerFailed(event: string, error: unknown): void {
    this.pool.emit('pool:error', { source: `listener of ${event}`, error });
  }
}

function isPool(source: AlertSource): source is ServerPool {
  return typeof (source as ServerPool).getMetrics === 'function';
}
